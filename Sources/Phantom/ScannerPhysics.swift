import Foundation

/// A scanner's image formation on one axial slice: noise, in-plane point-spread blur (the reconstruction
/// kernel, which also correlates the noise), calibration offset, the reconstruction circle and rounding to
/// integer HU.
struct ScannerPhysics: Sendable {
    let profile: ScannerProfile
    /// Normalised 1-D Gaussian PSF (separable in-plane).
    let kernel: [Float]
    /// SD of the white noise added before the blur, so that the blurred noise has `profile.noiseSigmaHU`.
    let whiteNoiseSigma: Float

    init(profile: ScannerProfile) {
        self.profile = profile
        let sigmaPixels = profile.pointSpreadSigmaMM / profile.pixelSpacingMM
        if sigmaPixels < 0.2 {
            kernel = [1]
        } else {
            let radius = Int(ceil(3 * sigmaPixels))
            let raw = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigmaPixels * sigmaPixels)) }
            let total = raw.reduce(0, +)
            kernel = raw.map { Float($0 / total) }
        }
        // Blurring white noise of SD s by the separable kernel k gives SD s · Σ kᵢ² (2-D norm = (1-D norm)²).
        let norm = kernel.reduce(0) { $0 + $1 * $1 }
        // The contrast gain scales the noise too; divide it out so that the stored noise keeps `noiseSigmaHU`.
        whiteNoiseSigma = Float(profile.noiseSigmaHU) / norm / Float(profile.contrastGain)
    }

    /// Turns the ideal slice (HU, `n × n`, row-major) into the stored slice.
    ///
    /// - Parameters:
    ///   - ideal: the rendered slice; overwritten (used as scratch).
    ///   - scratch: a buffer of the same size.
    ///   - offsetHU: this scan's calibration offset (what water reads).
    ///   - random: the slice's noise stream.
    ///   - output: where the integer HU go.
    func apply(ideal: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
               offsetHU: Float, random: inout PhantomRandom, output: UnsafeMutableBufferPointer<Int16>) {
        let n = profile.matrixSize
        // Irwin–Hall noise: four 16-bit uniforms from one 64-bit draw; the blur below makes it Gaussian.
        let scale = whiteNoiseSigma * (3.0 as Float).squareRoot() / 65536
        if whiteNoiseSigma > 0 {
            for i in 0..<ideal.count {
                let bits = random.next()
                let sum = Float(bits & 0xFFFF) + Float((bits >> 16) & 0xFFFF) + Float((bits >> 32) & 0xFFFF) + Float(bits >> 48)
                ideal[i] += (sum - 2 * 65536) * scale
            }
        }
        let r = kernel.count / 2
        if r > 0 {
            kernel.withUnsafeBufferPointer { k in
                // Horizontal pass into scratch, then vertical pass back into ideal (edges replicated).
                for y in 0..<n {
                    let row = y * n
                    for x in 0..<n {
                        var s: Float = 0
                        if x >= r && x < n - r {
                            for t in 0..<k.count { s += k[t] * ideal[row + x - r + t] }
                        } else {
                            for t in 0..<k.count { s += k[t] * ideal[row + min(max(x - r + t, 0), n - 1)] }
                        }
                        scratch[row + x] = s
                    }
                }
                for y in 0..<n {
                    let row = y * n
                    for x in 0..<n { ideal[row + x] = 0 }
                    for t in 0..<k.count {
                        let source = min(max(y - r + t, 0), n - 1) * n, weight = k[t]
                        for x in 0..<n { ideal[row + x] += weight * scratch[source + x] }
                    }
                }
            }
        }
        let centre = Float(n - 1) / 2, radius2 = Float(n * n) / 4
        let gain = Float(profile.contrastGain), padding = Int16(profile.paddingHU)
        for y in 0..<n {
            let dy = Float(y) - centre
            for x in 0..<n {
                let dx = Float(x) - centre
                let i = y * n + x
                if dx * dx + dy * dy > radius2 {
                    output[i] = padding
                } else {
                    let value = min(max(gain * ideal[i] + offsetHU, -1024), 3071)
                    output[i] = Int16(truncatingIfNeeded: Int32(value + 1024.5) - 1024)
                }
            }
        }
    }
}
