/*
 * cdcmtk.h — NeoICH's C ABI over DCMTK (dcmdata, dcmiod, dcmfg, dcmseg, dcmsr).
 *
 * Conventions (every function, as in ctorch.h):
 *   - returns CD_OK (0) on success, CD_ERROR (1) on failure; results come back through out-parameters;
 *   - on failure the message (DCMTK's own condition text where there is one) is stored thread-locally and
 *     read with cd_last_error() right after the call;
 *   - every handle the shim allocates is released with its free function (cd_dataset_free,
 *     cd_segmentation_free, cd_report_free); freeing NULL does nothing;
 *   - strings are UTF-8, NUL-terminated; a string result is copied into (buffer, size), always
 *     NUL-terminated, and *needed receives the size the whole value needs (terminator included);
 *   - attributes are addressed by DCMTK path strings: a tag "(0020,0032)" or a dictionary name
 *     "ImagePositionPatient", nested as "PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0].ImagePositionPatient".
 */
#ifndef CDCMTK_H
#define CDCMTK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CDDataset CDDataset;
typedef struct CDSegmentation CDSegmentation;

typedef int32_t cd_status;
#define CD_OK 0
#define CD_ERROR 1

/* The message of the last failed call on this thread. */
const char *cd_last_error(void);

/* The DCMTK version the shim was built against, e.g. "3.6.7". */
const char *cd_dcmtk_version(void);

/* A new globally unique UID under DCMTK's site root (64 characters at most). */
cd_status cd_new_uid(char *buffer, int64_t size, int64_t *needed);

/* MARK: - Datasets */

/* Reads a DICOM file (Part 10, or a bare dataset). headers_only != 0 stops before the pixel data. */
cd_status cd_dataset_load(const char *path, int32_t headers_only, CDDataset **out);
/* An empty dataset, to fill with cd_dataset_put_string / cd_dataset_put_pixels and save. */
cd_status cd_dataset_new(CDDataset **out);
void cd_dataset_free(CDDataset *dataset);

/* The value of an attribute, all values joined by '\'. *present is 0 (and the buffer "") when the path does
 * not exist; an attribute present with an empty value gives *present = 1 and "". */
cd_status cd_dataset_get_string(const CDDataset *dataset, const char *path, char *buffer, int64_t size,
                                int64_t *needed, int32_t *present);
/* Number of items of a sequence (0 when absent). */
cd_status cd_dataset_sequence_count(const CDDataset *dataset, const char *path, int64_t *count);
/* Sets an attribute, creating the sequences and items on the path. */
cd_status cd_dataset_put_string(CDDataset *dataset, const char *path, const char *value);
/* Sets Pixel Data (OW) from 16-bit words; Rows, Columns, Bits* and Pixel Representation are the caller's. */
cd_status cd_dataset_put_pixels16(CDDataset *dataset, const uint16_t *words, int64_t count);
/* Sets Pixel Data (OB) from bytes (8-bit samples); the image pixel attributes are the caller's. */
cd_status cd_dataset_put_pixels8(CDDataset *dataset, const uint8_t *bytes, int64_t count);
/* Copies Pixel Data's bytes (as stored, native little endian) into (buffer, size); *needed receives its length,
 * 0 when absent. */
cd_status cd_dataset_get_pixel_bytes(const CDDataset *dataset, uint8_t *buffer, int64_t size, int64_t *needed);
/* Writes the dataset as a Part 10 file, explicit VR little endian, with a meta header built from
 * SOPClassUID and SOPInstanceUID. */
cd_status cd_dataset_save(CDDataset *dataset, const char *path);

/* MARK: - Binary segmentations */

/* Equipment and series of a new segmentation. */
typedef struct {
  const char *manufacturer;
  const char *model_name;
  const char *software_versions;
  const char *device_serial_number;
  const char *series_description;
  const char *series_number;
  const char *instance_number;
  const char *content_label;
  const char *content_description;
  const char *content_creator;
} cd_segmentation_info;

/* A coded concept: code value, coding scheme designator, code meaning. */
typedef struct {
  const char *value;
  const char *scheme;
  const char *meaning;
} cd_code;

/* A new binary segmentation of rows × columns frames, with patient, study and frame of reference taken
 * from `source` (a header of the segmented series). */
cd_status cd_segmentation_create(uint16_t rows, uint16_t columns, const cd_segmentation_info *info,
                                 const CDDataset *source, CDSegmentation **out);
void cd_segmentation_free(CDSegmentation *segmentation);

/* Adds a segment made by an automatic algorithm; *number receives its Segment Number (1, 2, …).
 * rgb: recommended display colour, 0–255 each. */
cd_status cd_segmentation_add_segment(CDSegmentation *segmentation, const char *label, cd_code category,
                                      cd_code type, const char *algorithm_name, const char *algorithm_version,
                                      const uint8_t rgb[3], uint16_t *number);

/* Plane orientation (row direction cosines then column direction cosines, 6 values), pixel spacing
 * (row spacing, column spacing, mm) and slice thickness (mm), shared by all frames. */
cd_status cd_segmentation_set_geometry(CDSegmentation *segmentation, const double orientation[6],
                                       const double pixel_spacing[2], double slice_thickness);

/* Adds one frame of `segment`: rows × columns bytes (non-zero = inside), at `position` (Image Position
 * (Patient) of the source slice), derived from the source instance; slice_index (1-based) is the frame's
 * position along the stack, its second dimension index value. */
cd_status cd_segmentation_add_frame(CDSegmentation *segmentation, const uint8_t *pixels, uint16_t segment,
                                    const double position[3], uint32_t slice_index, const char *source_sop_class_uid,
                                    const char *source_sop_instance_uid);

/* Writes the segmentation (explicit VR little endian); *sop_instance_uid (if not NULL) receives its SOP
 * Instance UID. The referenced series sequence lists every source instance given to add_frame. */
cd_status cd_segmentation_save(CDSegmentation *segmentation, const char *path, char *sop_instance_uid,
                               int64_t size, int64_t *needed);

/* Reads a segmentation back: its frame count, frame size, and frame `index` unpacked to rows × columns
 * bytes (0 or 1). */
cd_status cd_segmentation_load(const char *path, CDSegmentation **out);
cd_status cd_segmentation_frame_count(CDSegmentation *segmentation, int64_t *count, uint16_t *rows,
                                      uint16_t *columns);
cd_status cd_segmentation_frame(CDSegmentation *segmentation, int64_t index, uint8_t *pixels, int64_t count);


/* MARK: - Measurement reports (Comprehensive 3D SR, TID 1500) */

typedef struct CDReport CDReport;

/* How a measurement summarises a region (CID 7464). */
typedef enum { CD_DERIVATION_NONE = 0, CD_DERIVATION_MEAN = 1, CD_DERIVATION_MEDIAN = 2 } cd_derivation;

/* A new TID 1500 measurement report (English, device observer NeoICH) in the study of `source` (patient and
 * study attributes are copied from it), whose evidence is the segmentation at `segmentation_path`. */
cd_status cd_report_create(const CDDataset *source, const char *segmentation_path, const cd_segmentation_info *info,
                           CDReport **out);
void cd_report_free(CDReport *report);

/* Starts a volumetric ROI measurement group (TID 1411) about segment `segment_number` of the segmentation. */
cd_status cd_report_add_segment_group(CDReport *report, const char *tracking_id, cd_code finding,
                                      uint16_t segment_number, const char *source_series_uid);
/* Starts an individual measurement group (TID 1501), e.g. one lesion. */
cd_status cd_report_add_group(CDReport *report, const char *tracking_id, cd_code finding);
/* Adds a numeric measurement to the current group. */
cd_status cd_report_add_measurement(CDReport *report, cd_code concept, double value, cd_code unit,
                                    cd_derivation derivation);
/* Adds a text evaluation to the current group (group != 0) or to the report. */
cd_status cd_report_add_text(CDReport *report, int32_t group, cd_code concept, const char *text);
/* Writes the report; *sop_instance_uid (if not NULL) receives its SOP Instance UID. */
cd_status cd_report_save(CDReport *report, const char *path, char *sop_instance_uid, int64_t size, int64_t *needed);

#ifdef __cplusplus
}
#endif

#endif
