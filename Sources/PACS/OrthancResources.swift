/// The parts of Orthanc's REST answers the watcher reads (Orthanc 1.10, REST API 16). Field names are
/// Orthanc's.

/// `GET /changes?since=N&limit=M`: one page of the change log.
public struct OrthancChangesPage: Sendable, Decodable, Equatable {
    public var changes: [OrthancChange]
    /// Whether this page reaches the end of the log.
    public var done: Bool
    /// The sequence number of the last change on the page (or of the log, when the page is empty).
    public var last: Int

    enum CodingKeys: String, CodingKey { case changes = "Changes", done = "Done", last = "Last" }
}

/// One entry of the change log.
public struct OrthancChange: Sendable, Decodable, Equatable {
    /// "NewInstance", "StableSeries", "StableStudy", …
    public var changeType: String
    /// The Orthanc identifier of the resource.
    public var id: String
    /// "Instance", "Series", "Study", "Patient".
    public var resourceType: String
    public var seq: Int

    enum CodingKeys: String, CodingKey { case changeType = "ChangeType", id = "ID", resourceType = "ResourceType", seq = "Seq" }
}

/// `GET /studies/{id}`.
public struct OrthancStudy: Sendable, Decodable, Equatable {
    public var id: String
    public var series: [String]
    public var mainDicomTags: [String: String]

    public var studyInstanceUID: String? { mainDicomTags["StudyInstanceUID"] }

    enum CodingKeys: String, CodingKey { case id = "ID", series = "Series", mainDicomTags = "MainDicomTags" }
}

/// `GET /series/{id}`.
public struct OrthancSeries: Sendable, Decodable, Equatable {
    public var id: String
    public var instances: [String]
    public var parentStudy: String
    public var mainDicomTags: [String: String]

    public var modality: String { mainDicomTags["Modality"] ?? "" }
    public var seriesInstanceUID: String? { mainDicomTags["SeriesInstanceUID"] }
    public var seriesDescription: String { mainDicomTags["SeriesDescription"] ?? "" }
    public var seriesNumber: String { mainDicomTags["SeriesNumber"] ?? "?" }

    enum CodingKeys: String, CodingKey {
        case id = "ID", instances = "Instances", parentStudy = "ParentStudy", mainDicomTags = "MainDicomTags"
    }
}

/// `POST /instances`: where an uploaded object went.
public struct OrthancStoredInstance: Sendable, Decodable, Equatable {
    public var id: String
    public var parentSeries: String
    public var parentStudy: String
    /// "Success" or "AlreadyStored" (anything else is a refusal).
    public var status: String

    enum CodingKeys: String, CodingKey { case id = "ID", parentSeries = "ParentSeries", parentStudy = "ParentStudy", status = "Status" }
}

/// `POST /tools/lookup`: one resource with the looked-up DICOM UID.
public struct OrthancLookupMatch: Sendable, Decodable, Equatable {
    public var id: String
    /// "Instance", "Series", "Study", "Patient".
    public var type: String

    enum CodingKeys: String, CodingKey { case id = "ID", type = "Type" }
}
