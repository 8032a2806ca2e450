import Foundation

/// nnU-Net v2's `resample_data_or_seg_to_shape` for images and logits, without SciPy: scikit-image's
/// `resize(order, mode='edge', anti_aliasing=False)` is SciPy's `ndimage.zoom(order, mode='nearest',
/// grid_mode=True)` followed by clipping to the input's range; for order 3 the B-spline coefficients come from
/// the input padded by 12 edge values (SciPy's `_prepad_for_spline_filter`). When one axis is much coarser
/// (max/min spacing > 3, of the current or the new spacing), every slice across it is resized in 2-D and that
/// axis is resampled with `order_z` (`map_coordinates`, mode 'nearest').
///
/// Arrays are (channels, a0, a1, a2) in row-major order; every axis is separable, so each is zoomed in turn.
enum NNUNetResampler {
    /// nnU-Net's `ANISO_THRESHOLD`.
    static let anisotropyThreshold = 3.0

    /// The axis resampled separately, or nil (`determine_do_sep_z_and_axis`).
    static func separateAxis(current: [Double], new: [Double], force: Bool?) -> Int? {
        func lowres(_ spacing: [Double]) -> [Int] {
            let largest = spacing.max() ?? 1
            return spacing.indices.filter { largest / spacing[$0] == 1 }
        }
        func anisotropic(_ spacing: [Double]) -> Bool {
            guard let largest = spacing.max(), let smallest = spacing.min(), smallest > 0 else { return false }
            return largest / smallest > anisotropyThreshold
        }
        let axes: [Int]
        if let force {
            guard force else { return nil }
            axes = lowres(current)
        } else if anisotropic(current) {
            axes = lowres(current)
        } else if anisotropic(new) {
            axes = lowres(new)
        } else {
            return nil
        }
        return axes.count == 1 ? axes[0] : nil
    }

    /// `data` (channels × shape) resampled to `newShape`.
    static func resample(_ data: [Float], channels: Int, shape: [Int], to newShape: [Int], resampling: NNUNetResampling,
                         currentSpacing: [Double], newSpacing: [Double]) -> [Float] {
        guard shape != newShape else { return data }
        let voxels = shape.reduce(1, *), newVoxels = newShape.reduce(1, *)
        var output = [Float](repeating: 0, count: channels * newVoxels)
        let axis = separateAxis(current: currentSpacing, new: newSpacing, force: resampling.forceSeparateZ)
        for c in 0..<channels {
            let channel = data[(c * voxels)..<((c + 1) * voxels)].map(Double.init)
            var result: [Double]
            if let axis {
                // Each slice across `axis` in 2-D (clipped to that slice's range), then `axis` alone.
                var inPlane = newShape
                inPlane[axis] = shape[axis]
                result = [Double](repeating: 0, count: inPlane.reduce(1, *))
                let otherAxes = (0..<3).filter { $0 != axis }
                for index in 0..<shape[axis] {
                    let slice = Self.slice(channel, shape: shape, axis: axis, index: index)
                    let sliceShape = otherAxes.map { shape[$0] }
                    var resized = slice, current = sliceShape
                    for (k, other) in otherAxes.enumerated() where current[k] != newShape[other] {
                        resized = zoom(resized, shape: current, axis: k, to: newShape[other], order: resampling.order)
                        current[k] = newShape[other]
                    }
                    clip(&resized, to: slice)
                    Self.setSlice(&result, shape: inPlane, axis: axis, index: index, values: resized)
                }
                if shape[axis] != newShape[axis] {
                    result = zoom(result, shape: inPlane, axis: axis, to: newShape[axis], order: resampling.orderZ)
                }
            } else {
                result = channel
                var current = shape
                for a in 0..<3 where current[a] != newShape[a] {
                    result = zoom(result, shape: current, axis: a, to: newShape[a], order: resampling.order)
                    current[a] = newShape[a]
                }
                clip(&result, to: channel)
            }
            for i in 0..<newVoxels { output[c * newVoxels + i] = Float(result[i]) }
        }
        return output
    }

    /// scikit-image clips `resize` output to the input's range.
    static func clip(_ values: inout [Double], to input: [Double]) {
        guard let low = input.min(), let high = input.max() else { return }
        for i in values.indices { values[i] = Swift.min(Swift.max(values[i], low), high) }
    }

    /// Offsets of the voxels of slice `index` across `axis`, in row-major order of the other two axes.
    static func sliceOffsets(shape: [Int], axis: Int, index: Int) -> [Int] {
        let strides = [shape[1] * shape[2], shape[2], 1]
        let others = (0..<3).filter { $0 != axis }
        var offsets: [Int] = []
        offsets.reserveCapacity(shape[others[0]] * shape[others[1]])
        for u in 0..<shape[others[0]] {
            for v in 0..<shape[others[1]] { offsets.append(index * strides[axis] + u * strides[others[0]] + v * strides[others[1]]) }
        }
        return offsets
    }

    static func slice(_ values: [Double], shape: [Int], axis: Int, index: Int) -> [Double] {
        sliceOffsets(shape: shape, axis: axis, index: index).map { values[$0] }
    }

    static func setSlice(_ values: inout [Double], shape: [Int], axis: Int, index: Int, values slice: [Double]) {
        for (n, offset) in sliceOffsets(shape: shape, axis: axis, index: index).enumerated() { values[offset] = slice[n] }
    }

    /// One axis of a row-major array zoomed to `size` samples (`ndimage.zoom`, grid_mode, mode 'nearest').
    static func zoom(_ values: [Double], shape: [Int], axis: Int, to size: Int, order: Int) -> [Double] {
        let length = shape[axis]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Double](repeating: 0, count: outer * size * inner)
        let scale = Double(length) / Double(size)
        let pad = order == 3 ? 12 : 0
        var line = [Double](repeating: 0, count: length + 2 * pad)
        for o in 0..<outer {
            for j in 0..<inner {
                let base = o * length * inner + j
                for i in 0..<length { line[i + pad] = values[base + i * inner] }
                if pad > 0 {
                    for i in 0..<pad { line[i] = line[pad]; line[length + pad + i] = line[length + pad - 1] }
                    prefilterCubic(&line)
                }
                let outBase = o * size * inner + j
                let last = line.count - 1
                for i in 0..<size {
                    let x = (Double(i) + 0.5) * scale - 0.5 + Double(pad)
                    let value: Double
                    switch order {
                    case 0:
                        value = line[Swift.min(Swift.max(Int((x + 0.5).rounded(.down)), 0), last)]
                    case 1:
                        let i0 = Int(x.rounded(.down)), t = x - Double(i0)
                        value = (1 - t) * line[Swift.min(Swift.max(i0, 0), last)] + t * line[Swift.min(Swift.max(i0 + 1, 0), last)]
                    default:
                        let i0 = Int(x.rounded(.down)), t = x - Double(i0)
                        let w0 = (1 - t) * (1 - t) * (1 - t) / 6
                        let w1 = (3 * t * t * t - 6 * t * t + 4) / 6
                        let w2 = (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6
                        let w3 = t * t * t / 6
                        func at(_ k: Int) -> Double { line[Swift.min(Swift.max(k, 0), last)] }
                        value = w0 * at(i0 - 1) + w1 * at(i0) + w2 * at(i0 + 1) + w3 * at(i0 + 2)
                    }
                    out[outBase + i * inner] = value
                }
            }
        }
        return out
    }

    /// Samples → cubic B-spline coefficients in place (Unser's recursive filter, pole √3 − 2, mirror boundary).
    static func prefilterCubic(_ c: inout [Double]) {
        let n = c.count
        guard n > 1 else { return }
        let z = 3.0.squareRoot() - 2
        for i in 0..<n { c[i] *= 6 }  // (1 − z)(1 − 1/z)
        // Causal initialisation for a mirror-symmetric extension.
        var zn = z, sum = c[0]
        let horizon = Swift.min(n, 40)
        for k in 1..<horizon { sum += zn * c[k]; zn *= z }
        c[0] = sum
        for k in 1..<n { c[k] += z * c[k - 1] }
        c[n - 1] = z / (z * z - 1) * (c[n - 1] + z * c[n - 2])
        for k in stride(from: n - 2, through: 0, by: -1) { c[k] = z * (c[k + 1] - c[k]) }
    }
}
