// CDCMTK measurement reports through dcmsr's content mapping resource: a TID 1500 Imaging Measurement Report
// in a Comprehensive 3D SR document, with volumetric groups referencing segments of a DICOM Segmentation and
// individual groups. No logic beyond argument conversion; every entry point goes through cdcmtk::guard.
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include "shim.h"

using namespace cdcmtk;

struct CDReport {
  TID1500_MeasurementReport report{CMR_CID7021::ImagingMeasurementReport};
  DcmFileFormat segmentation;
  DcmFileFormat source;
  std::string manufacturer, model, software, series_number, series_description;
  // 0 none yet, 1 volumetric (TID 1411), 2 individual (TID 1501): where measurements go.
  int current = 0;
};

namespace {

CDReport &unwrap(CDReport *handle) {
  if (handle == nullptr) throw std::invalid_argument("null report handle");
  return *handle;
}

DSRCodedEntryValue coded(const cd_code &c, const char *name) {
  return DSRCodedEntryValue(text(c.value, name).c_str(), text(c.scheme, name).c_str(), text(c.meaning, name).c_str());
}

}  // namespace

extern "C" {

cd_status cd_report_create(const CDDataset *source, const char *segmentation_path, const cd_segmentation_info *info,
                           CDReport **out) {
  return guard([&] {
    require_out(out, "out");
    *out = nullptr;
    if (source == nullptr || info == nullptr) throw std::invalid_argument("null source or report info");
    auto handle = std::make_unique<CDReport>();
    require(handle->segmentation.loadFile(text(segmentation_path, "segmentation_path").c_str()), "reading the segmentation");
    handle->source.getDataset()->copyFrom(const_cast<CDDataset *>(source)->dataset());
    handle->manufacturer = text(info->manufacturer, "manufacturer");
    handle->model = text(info->model_name, "model_name");
    handle->software = text(info->software_versions, "software_versions");
    handle->series_number = text(info->series_number, "series_number");
    handle->series_description = text(info->series_description, "series_description");
    auto &report = handle->report;
    require(report.setLanguage(CID5000_Languages::English), "language");
    char uid[100];
    require(report.getObservationContext().addDeviceObserver(dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT),
                                                             handle->model.c_str(), handle->manufacturer.c_str(),
                                                             handle->model.c_str()),
            "device observer");
    require(report.addProcedureReported(CMR_CID100::CTUnspecifiedBodyRegion), "procedure reported");
    *out = handle.release();
  });
}

void cd_report_free(CDReport *report) { delete report; }

cd_status cd_report_add_segment_group(CDReport *handle, const char *tracking_id, cd_code finding,
                                      uint16_t segment_number, const char *source_series_uid) {
  return guard([&] {
    auto &r = unwrap(handle);
    require(r.report.addVolumetricROIMeasurements(), "volumetric measurement group");
    auto &group = r.report.getVolumetricROIMeasurements();
    char uid[100];
    require(group.setTrackingIdentifier(text(tracking_id, "tracking_id").c_str()), "tracking identifier");
    require(group.setTrackingUniqueIdentifier(dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT)), "tracking UID");
    require(group.setFinding(coded(finding, "finding")), "finding");
    require(group.setReferencedSegment(*r.segmentation.getDataset(), segment_number, OFFalse), "referenced segment");
    require(group.setSourceSeriesForSegmentation(text(source_series_uid, "source_series_uid").c_str()), "source series");
    r.current = 1;
  });
}

cd_status cd_report_add_group(CDReport *handle, const char *tracking_id, cd_code finding) {
  return guard([&] {
    auto &r = unwrap(handle);
    require(r.report.addIndividualMeasurements(), "measurement group");
    auto &group = r.report.getIndividualMeasurements();
    char uid[100];
    require(group.setTrackingIdentifier(text(tracking_id, "tracking_id").c_str()), "tracking identifier");
    require(group.setTrackingUniqueIdentifier(dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT)), "tracking UID");
    require(group.setFinding(coded(finding, "finding")), "finding");
    r.current = 2;
  });
}

cd_status cd_report_add_measurement(CDReport *handle, cd_code concept, double value, cd_code unit,
                                    cd_derivation derivation) {
  return guard([&] {
    auto &r = unwrap(handle);
    CID7469_GenericIntensityAndSizeMeasurements name(coded(concept, "concept"));
    CID7181_AbstractMultiDimensionalImageModelComponentUnits units(coded(unit, "unit"));
    CMR_SRNumericMeasurementValueWithUnits<CID7181_AbstractMultiDimensionalImageModelComponentUnits> number(
        decimal_string(value).c_str(), units);
    if (derivation != CD_DERIVATION_NONE && derivation != CD_DERIVATION_MEAN && derivation != CD_DERIVATION_MEDIAN) {
      throw std::invalid_argument("unknown derivation");
    }
    auto derive = [&](auto &measurement) {
      if (derivation == CD_DERIVATION_NONE) return;
      CID7464_GeneralRegionOfInterestMeasurementModifiers modifier(
          derivation == CD_DERIVATION_MEAN ? CID7464_GeneralRegionOfInterestMeasurementModifiers::Mean
                                           : CID7464_GeneralRegionOfInterestMeasurementModifiers::Median);
      require(measurement.setDerivation(modifier), "derivation");
    };
    if (r.current == 1) {
      auto &group = r.report.getVolumetricROIMeasurements();
      require(group.addMeasurement(name, number, OFFalse), "measurement");
      derive(group.getMeasurement());
    } else if (r.current == 2) {
      auto &group = r.report.getIndividualMeasurements();
      require(group.addMeasurement(name, number, OFFalse), "measurement");
      derive(group.getMeasurement());
    } else {
      throw std::invalid_argument("no measurement group to add a measurement to");
    }
  });
}

cd_status cd_report_add_text(CDReport *handle, int32_t group, cd_code concept, const char *value) {
  return guard([&] {
    auto &r = unwrap(handle);
    OFString string = text(value, "text").c_str();
    DSRCodedEntryValue name = coded(concept, "concept");
    if (group == 0) {
      require(r.report.addQualitativeEvaluation(name, string), "evaluation");
    } else if (r.current == 1) {
      require(r.report.getVolumetricROIMeasurements().addQualitativeEvaluation(name, string), "evaluation");
    } else if (r.current == 2) {
      require(r.report.getIndividualMeasurements().addQualitativeEvaluation(name, string), "evaluation");
    } else {
      throw std::invalid_argument("no measurement group to add an evaluation to");
    }
  });
}

cd_status cd_report_save(CDReport *handle, const char *path, char *sop_instance_uid, int64_t size, int64_t *needed) {
  return guard([&] {
    auto &r = unwrap(handle);
    DSRDocument document(DSRTypes::DT_Comprehensive3DSR);
    require(document.setTreeFromRootTemplate(r.report, OFTrue), "report content");
    // dcmsr builds TID 1500 as Enhanced SR; the content fits Comprehensive 3D SR, the class NeoICH writes.
    require(document.changeDocumentType(DSRTypes::DT_Comprehensive3DSR), "Comprehensive 3D SR");
    DcmDataset &source = *r.source.getDataset();
    OFString study;
    source.findAndGetOFString(DCM_StudyInstanceUID, study);
    require(document.createNewSeriesInStudy(study), "series");
    require(document.setManufacturer(r.manufacturer.c_str()), "Manufacturer");
    require(document.setManufacturerModelName(r.model.c_str()), "ManufacturerModelName");
    require(document.setSoftwareVersions(r.software.c_str()), "SoftwareVersions");
    require(document.setSeriesNumber(r.series_number.c_str()), "SeriesNumber");
    require(document.setSeriesDescription(r.series_description.c_str()), "SeriesDescription");
    require(document.getCurrentRequestedProcedureEvidence().addItem(*r.segmentation.getDataset()), "evidence");
    DcmFileFormat file;
    DcmDataset &dataset = *file.getDataset();
    require(document.write(dataset), "building the report");
    // Patient and study attributes exactly as the source has them.
    const DcmTagKey copied[] = {DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate,
                                DCM_PatientSex, DCM_StudyInstanceUID, DCM_StudyDate, DCM_StudyTime, DCM_AccessionNumber,
                                DCM_ReferringPhysicianName, DCM_StudyID};
    for (const auto &tag : copied) {
      OFString value;
      if (source.findAndGetOFStringArray(tag, value).good()) {
        require(dataset.putAndInsertOFStringArray(tag, value), "copying source attribute");
      }
    }
    save_atomically(file, text(path, "path"), "writing the report");
    OFString uid;
    dataset.findAndGetOFString(DCM_SOPInstanceUID, uid);
    copy_string(uid.c_str(), sop_instance_uid, size, needed);
  });
}

}  // extern "C"
