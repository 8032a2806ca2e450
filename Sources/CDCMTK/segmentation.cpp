// CDCMTK binary segmentations through dcmseg: creation from a source series header, segments with coded
// properties and algorithm identification, per-frame plane position and derivation, reading frames back
// (dcmseg checks and parses the object; the frame bits are packed and unpacked here, see CDSegmentation).
// No logic beyond argument conversion; every entry point goes through cdcmtk::guard.
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <set>
#include <utility>
#include <vector>

#include "shim.h"

using namespace cdcmtk;

struct CDSegmentation {
  // The file a loaded segmentation was read from (kept while the segmentation lives).
  std::unique_ptr<DcmFileFormat> file;
  std::unique_ptr<DcmSegmentation> segmentation;
  std::string patient_id, study_uid, series_uid;
  // (SOP Instance UID, SOP Class UID) of every source instance a frame derives from, in first-use order.
  std::vector<std::pair<std::string, std::string>> sources;
  std::set<std::string> source_set;
  uint16_t rows = 0, columns = 0;
  // The frames as Pixel Data stores them: one bit per pixel, frame after frame with no padding between frames,
  // least significant bit first. dcmseg 3.6.7 misplaces the bits of frames whose pixel count is not a
  // multiple of 8, so the shim packs (and unpacks) the bits itself and DCMTK writes everything else.
  std::vector<uint8_t> bits;
  size_t bit_count = 0;
};

namespace {

DcmSegmentation &unwrap(CDSegmentation *handle) {
  if (handle == nullptr || !handle->segmentation) throw std::invalid_argument("null segmentation handle");
  return *handle->segmentation;
}

CodeSequenceMacro code(const cd_code &c, const char *name) {
  return CodeSequenceMacro(text(c.value, name), text(c.scheme, name), text(c.meaning, name));
}

std::string source_string(DcmDataset &source, const DcmTagKey &tag) {
  OFString value;
  source.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

}  // namespace

extern "C" {

cd_status cd_segmentation_create(uint16_t rows, uint16_t columns, const cd_segmentation_info *info,
                                 const CDDataset *source, CDSegmentation **out) {
  return guard([&] {
    require_out(out, "out");
    *out = nullptr;
    if (info == nullptr || source == nullptr) throw std::invalid_argument("null segmentation info or source");
    if (rows == 0 || columns == 0) throw std::invalid_argument("empty frame size");
    IODGeneralEquipmentModule::EquipmentInfo equipment(
        text(info->manufacturer, "manufacturer"), text(info->model_name, "model_name"),
        text(info->device_serial_number, "device_serial_number"), text(info->software_versions, "software_versions"));
    ContentIdentificationMacro content(text(info->instance_number, "instance_number"),
                                       text(info->content_label, "content_label"),
                                       text(info->content_description, "content_description"),
                                       text(info->content_creator, "content_creator"));
    DcmSegmentation *created = nullptr;
    require(DcmSegmentation::createBinarySegmentation(created, rows, columns, equipment, content),
            "creating the segmentation");
    auto handle = std::make_unique<CDSegmentation>();
    handle->segmentation.reset(created);
    handle->rows = rows;
    handle->columns = columns;
    DcmDataset &header = const_cast<CDDataset *>(source)->dataset();
    require(created->importFromSourceImage(header), "taking patient, study and frame of reference from the source");
    handle->patient_id = source_string(header, DCM_PatientID);
    handle->study_uid = source_string(header, DCM_StudyInstanceUID);
    handle->series_uid = source_string(header, DCM_SeriesInstanceUID);
    require(created->getSeries().setSeriesDescription(text(info->series_description, "series_description")),
            "SeriesDescription");
    require(created->getSeries().setSeriesNumber(text(info->series_number, "series_number")), "SeriesNumber");
    // Frames are ordered by segment, then by position along the stack.
    char uid[100];
    dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
    auto &dimensions = created->getDimensions();
    require(dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, uid, DCM_SegmentIdentificationSequence,
                                         "ReferencedSegmentNumber"), "segment dimension");
    require(dimensions.addDimensionIndex(DCM_ImagePositionPatient, uid, DCM_PlanePositionSequence,
                                         "ImagePositionPatient"), "position dimension");
    *out = handle.release();
  });
}

void cd_segmentation_free(CDSegmentation *segmentation) { delete segmentation; }

cd_status cd_segmentation_add_segment(CDSegmentation *segmentation, const char *label, cd_code category,
                                      cd_code type, const char *algorithm_name, const char *algorithm_version,
                                      const uint8_t rgb[3], uint16_t *number) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    require_out(number, "number");
    if (rgb == nullptr) throw std::invalid_argument("null colour");
    std::string name = text(algorithm_name, "algorithm_name");
    DcmSegment *segment = nullptr;
    require(DcmSegment::create(segment, text(label, "label"), code(category, "category"), code(type, "type"),
                               DcmSegTypes::SAT_AUTOMATIC, name.c_str()),
            "creating segment");
    std::unique_ptr<DcmSegment> owned(segment);
    AlgorithmIdentificationMacro &algorithm = segment->getSegmentationAlgorithmIdentification();
    require(algorithm.setAlgorithmName(name.c_str()), "AlgorithmName");
    require(algorithm.setAlgorithmVersion(text(algorithm_version, "algorithm_version").c_str()), "AlgorithmVersion");
    require(algorithm.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence"), "AlgorithmFamilyCode");
    double L = 0, a = 0, b = 0;
    IODCIELabUtil::rgb2DicomLab(L, a, b, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
    require(segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(L + 0.5), static_cast<Uint16>(a + 0.5),
                                                      static_cast<Uint16>(b + 0.5)),
            "RecommendedDisplayCIELabValue");
    Uint16 assigned = 0;
    require(document.addSegment(segment, assigned), "adding segment");
    owned.release();
    *number = assigned;
  });
}

cd_status cd_segmentation_set_geometry(CDSegmentation *segmentation, const double orientation[6],
                                       const double pixel_spacing[2], double slice_thickness) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    if (orientation == nullptr || pixel_spacing == nullptr) throw std::invalid_argument("null geometry");
    std::unique_ptr<FGPlaneOrientationPatient> plane(FGPlaneOrientationPatient::createMinimal(
        decimal_string(orientation[0]).c_str(), decimal_string(orientation[1]).c_str(),
        decimal_string(orientation[2]).c_str(), decimal_string(orientation[3]).c_str(),
        decimal_string(orientation[4]).c_str(), decimal_string(orientation[5]).c_str()));
    if (!plane) throw std::runtime_error("invalid ImageOrientationPatient");
    require(document.addForAllFrames(*plane), "shared plane orientation");
    FGPixelMeasures measures;
    std::string spacing = decimal_string(pixel_spacing[0]) + "\\" + decimal_string(pixel_spacing[1]);
    require(measures.setPixelSpacing(spacing.c_str()), "PixelSpacing");
    require(measures.setSliceThickness(decimal_string(slice_thickness).c_str()), "SliceThickness");
    require(document.addForAllFrames(measures), "shared pixel measures");
  });
}

cd_status cd_segmentation_add_frame(CDSegmentation *segmentation, const uint8_t *pixels, uint16_t segment,
                                    const double position[3], uint32_t slice_index, const char *source_sop_class_uid,
                                    const char *source_sop_instance_uid) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    if (pixels == nullptr || position == nullptr) throw std::invalid_argument("null frame or position");
    std::string class_uid = text(source_sop_class_uid, "source_sop_class_uid");
    std::string instance_uid = text(source_sop_instance_uid, "source_sop_instance_uid");
    std::unique_ptr<FGPlanePosPatient> plane(FGPlanePosPatient::createMinimal(
        decimal_string(position[0]).c_str(), decimal_string(position[1]).c_str(), decimal_string(position[2]).c_str()));
    if (!plane) throw std::runtime_error("invalid ImagePositionPatient");
    FGFrameContent content;
    require(content.setDimensionIndexValues(segment, 0), "segment dimension index");
    require(content.setDimensionIndexValues(slice_index, 1), "position dimension index");
    FGDerivationImage derivation;
    DerivationImageItem *item = nullptr;
    require(derivation.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item),
            "derivation image");
    auto *reference = new SourceImageItem();
    item->getSourceImageItems().push_back(reference);
    require(reference->getPurposeOfReferenceCode().set("121322", "DCM", "Source image for image processing operation"),
            "purpose of reference");
    require(reference->getImageSOPInstanceReference().setReferencedSOPClassUID(class_uid.c_str()),
            "ReferencedSOPClassUID");
    require(reference->getImageSOPInstanceReference().setReferencedSOPInstanceUID(instance_uid.c_str()),
            "ReferencedSOPInstanceUID");
    OFVector<FGBase *> groups;
    groups.push_back(plane.get());
    groups.push_back(&content);
    groups.push_back(&derivation);
    require(document.addFrame(const_cast<Uint8 *>(pixels), segment, groups), "adding frame");
    size_t size = static_cast<size_t>(segmentation->rows) * segmentation->columns;
    segmentation->bits.resize((segmentation->bit_count + size + 7) / 8, 0);
    for (size_t i = 0; i < size; ++i, ++segmentation->bit_count) {
      if (pixels[i]) segmentation->bits[segmentation->bit_count / 8] |= static_cast<uint8_t>(1u << (segmentation->bit_count % 8));
    }
    if (segmentation->source_set.insert(instance_uid).second) segmentation->sources.emplace_back(instance_uid, class_uid);
  });
}

cd_status cd_segmentation_save(CDSegmentation *segmentation, const char *path, char *sop_instance_uid,
                               int64_t size, int64_t *needed) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    IODReferences references;
    for (const auto &source : segmentation->sources) {
      references.add(new IODImageReference(segmentation->patient_id.c_str(), segmentation->study_uid.c_str(),
                                           segmentation->series_uid.c_str(), source.first.c_str(),
                                           source.second.c_str()));
    }
    document.getCommonInstanceReference().addReferences(references, segmentation->study_uid.c_str());
    DcmFileFormat file;
    require(document.writeDataset(*file.getDataset()), "building the segmentation");
    std::vector<uint8_t> pixel_data = segmentation->bits;
    if (pixel_data.size() % 2) pixel_data.push_back(0);
    require(file.getDataset()->putAndInsertUint8Array(DCM_PixelData, pixel_data.data(),
                                                      static_cast<unsigned long>(pixel_data.size())),
            "PixelData");
    save_atomically(file, text(path, "path"), "writing the segmentation");
    OFString uid;
    document.getSOPCommon().getSOPInstanceUID(uid);
    copy_string(uid.c_str(), sop_instance_uid, size, needed);
  });
}

cd_status cd_segmentation_load(const char *path, CDSegmentation **out) {
  return guard([&] {
    require_out(out, "out");
    *out = nullptr;
    auto handle = std::make_unique<CDSegmentation>();
    handle->file = std::make_unique<DcmFileFormat>();
    require(handle->file->loadFile(text(path, "path").c_str()), "reading the segmentation");
    DcmDataset &dataset = *handle->file->getDataset();
    Uint16 rows = 0, columns = 0;
    require(dataset.findAndGetUint16(DCM_Rows, rows), "Rows");
    require(dataset.findAndGetUint16(DCM_Columns, columns), "Columns");
    DcmSegmentation *loaded = nullptr;
    require(DcmSegmentation::loadDataset(dataset, loaded), "reading the segmentation");
    handle->segmentation.reset(loaded);
    handle->rows = rows;
    handle->columns = columns;
    *out = handle.release();
  });
}

cd_status cd_segmentation_frame_count(CDSegmentation *segmentation, int64_t *count, uint16_t *rows,
                                      uint16_t *columns) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    require_out(count, "count");
    require_out(rows, "rows");
    require_out(columns, "columns");
    *count = static_cast<int64_t>(document.getNumberOfFrames());
    *rows = segmentation->rows;
    *columns = segmentation->columns;
  });
}

cd_status cd_segmentation_frame(CDSegmentation *segmentation, int64_t index, uint8_t *pixels, int64_t count) {
  return guard([&] {
    auto &document = unwrap(segmentation);
    int64_t size = static_cast<int64_t>(segmentation->rows) * segmentation->columns;
    if (pixels == nullptr || count != size) throw std::invalid_argument("frame buffer must hold rows × columns bytes");
    if (index < 0 || index >= static_cast<int64_t>(document.getNumberOfFrames())) {
      throw std::out_of_range("frame " + std::to_string(index) + " does not exist");
    }
    if (!segmentation->file) throw std::invalid_argument("frames are read from a loaded segmentation");
    const Uint8 *data = nullptr;
    unsigned long length = 0;
    require(segmentation->file->getDataset()->findAndGetUint8Array(DCM_PixelData, data, &length), "PixelData");
    size_t first = static_cast<size_t>(index) * static_cast<size_t>(size);
    if (data == nullptr || (first + static_cast<size_t>(size) + 7) / 8 > length) {
      throw std::runtime_error("PixelData too short for frame " + std::to_string(index + 1));
    }
    for (int64_t i = 0; i < size; ++i) {
      size_t bit = first + static_cast<size_t>(i);
      pixels[i] = (data[bit / 8] >> (bit % 8)) & 1u;
    }
  });
}

}  // extern "C"
