import ArgumentParser
import Classification
import Foundation
import NN
import Segmentation

/// `neoich card`: writes the human side of model folders (model cards) without editing JSON by hand.
struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Write model cards: a classifier card's notice, a segmentation model's model-card.json.",
        subcommands: [CardNoticeCommand.self, SegmentationCardCommand.self]
    )
}

/// `neoich card notice FOLDER TEXT`: the plain statement of the data a classifier saw.
struct CardNoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "Set the notice of a classifier folder's model.json (e.g. what data it was trained on)."
    )

    @Argument(help: "Classifier folder (model.json).") var folder: String
    @Argument(help: "The notice.") var notice: String

    func run() throws {
        let url = URL(fileURLWithPath: folder).appendingPathComponent("model.json")
        var card = try ClassifierModelCard.read(url)
        card.notice = notice
        try card.write(to: url)
        print("\(url.path): notice set")
    }
}

/// `neoich card segmentation FOLDER`: model-card.json from the plans and evaluate-seg results.
struct SegmentationCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segmentation",
        abstract: "Write FOLDER/model-card.json for a segmentation model: network and plans, training, and evaluate-seg results.",
        discussion: "A set whose folder has no summary.json is listed as null (not evaluated)."
    )

    @Argument(help: "Segmentation model folder (plans.json).") var folder: String
    @Option(help: "Model name.") var name: String
    @Option(help: "Plain statement of the data the model saw.") var notice: String
    @Option(help: "The training data in words.") var trainingData: String
    @Option(help: "The training recipe in words.") var training: String
    @Option(help: "The command that trained it.") var command: String
    @Option(help: "The command that evaluated it.") var evaluationCommand: String
    @Option(help: ArgumentHelp("An evaluation set with its per-case rows: NAME=FOLDER (an evaluate-seg output folder); repeatable.", valueName: "name=folder"))
    var evaluation: [String] = []
    @Option(help: ArgumentHelp("An evaluation set, aggregates only: NAME=FOLDER; repeatable.", valueName: "name=folder"))
    var aggregate: [String] = []

    static func pair(_ text: String, option: String) throws -> (name: String, folder: URL) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--\(option): \"\(text)\" is not NAME=FOLDER") }
        return (parts[0], URL(fileURLWithPath: parts[1]))
    }

    func validate() throws {
        for text in evaluation { _ = try Self.pair(text, option: "evaluation") }
        for text in aggregate { _ = try Self.pair(text, option: "aggregate") }
    }

    func run() throws {
        let root = URL(fileURLWithPath: folder)
        let plans = try SegmentationPlans.read(root.appendingPathComponent("plans.json"))
        var results: [String: SegmentationModelCard.Result?] = [:]
        for (texts, perCase, option) in [(evaluation, true, "evaluation"), (aggregate, false, "aggregate")] {
            for text in texts {
                let (set, url) = try Self.pair(text, option: option)
                results[set] = .some(try SegmentationModelCard.result(in: url, perCase: perCase))
            }
        }
        let card = SegmentationModelCard(name: name, notice: notice, plans: plans, trainingData: trainingData, training: training,
                                         command: command, evaluation: .init(results: results, command: evaluationCommand))
        try card.write(to: root)
        print("wrote \(root.appendingPathComponent(SegmentationModelCard.fileName).path)")
    }
}
