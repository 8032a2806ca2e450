import Plots
import Stats

/// The study's figures as SVG documents (000_… Figures 4 and 5, and the ROC of 001_…).
extension CohortStudy {
    /// The neoplastic and non-neoplastic colours of every figure (the first two of `PlotStyle`'s palette,
    /// Okabe–Ito blue and vermilion).
    static let classPalette = ["#D55E00", "#0072B2"]

    /// A figure's file stem and SVG text.
    public struct Figure: Sendable, Equatable {
        /// File name without extension, e.g. "ich_volume_histogram".
        public var name: String
        /// Caption for the report.
        public var caption: String
        /// The SVG document.
        public var svg: String
    }

    /// The figures that the data allow: ICH-volume histogram by class (with volumes), violin plot of the
    /// primary method's importance by region and class (with explanations), ROC (with probabilities).
    ///
    /// - Throws: `StatsError` from the plots (not expected for finite inputs).
    public func figures() throws -> [Figure] {
        var figures: [Figure] = []
        let style = PlotStyle(width: 560, height: 400, palette: Self.classPalette)
        let groups = configuration.groupNames
        let volumes = [true, false].map { positive in cases.filter { $0.neoplastic == positive }.compactMap(\.ichVolumeML) }
        if volumes.contains(where: { !$0.isEmpty }) {
            let plot = HistogramPlot(title: "ICH volume by class", valueLabel: "ICH volume (mL)", binCount: 20, style: style)
            figures.append(Figure(name: "ich_volume_histogram",
                                  caption: "Distribution of ICH volumes by class (000_… Figure 4).",
                                  svg: try plot.svg(zip(groups, volumes).map { HistogramPlot.Series(name: $0, values: $1) })))
        }
        if let method = primaryMethod {
            var violins: [ViolinPlot.Group] = []
            let regions: [(String, (StudyCase.MethodScores) -> Double)] = [("ICH", \.ich), ("PHE", \.phe), ("BG", \.background)]
            for (region, value) in regions {
                for (positive, name) in zip([true, false], groups) {
                    let values = cases.filter { $0.neoplastic == positive }
                        .compactMap { $0.methods.first { $0.method == method } }.map(value).filter { !$0.isNaN }
                    violins.append(ViolinPlot.Group(name: "\(region) · \(name)", values: values))
                }
            }
            let plot = ViolinPlot(title: "\(method): mean normalised importance by region and class",
                                  valueLabel: "Mean normalised importance", style: PlotStyle(width: 720, height: 420, palette: Self.classPalette))
            figures.append(Figure(name: "importance_violin",
                                  caption: "Mean normalised \(method) importance per case in ICH, PHE and background, by class (000_… Figure 5).",
                                  svg: try plot.svg(violins)))
        }
        if let roc, let discrimination {
            let labels = cases.filter { $0.probability != nil }.map(\.neoplastic)
            let scores = cases.compactMap(\.probability)
            let delong = try DeLongAUC(labels: labels, scores: scores)
            let point = try OperatingPoint(labels: labels, scores: scores, threshold: discrimination.threshold)
            let plot = ROCPlot(title: "ROC of P(\(groups.first ?? "positive"))")
            figures.append(Figure(name: "roc",
                                  caption: "ROC of the classifier's probabilities; AUC with DeLong 95 % CI; the marked point maximises sensitivity × specificity.",
                                  svg: plot.svg(curve: roc, delong: delong, operatingPoint: point)))
        }
        return figures
    }
}
