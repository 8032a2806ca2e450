// CDCMTK datasets: reading headers, reading and setting attributes by path, writing Part 10 files, UIDs.
// No logic beyond argument conversion; every entry point goes through cdcmtk::guard.
#include <dcmtk/dcmdata/dcpath.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <vector>

#include "shim.h"

using namespace cdcmtk;

namespace cdcmtk {

thread_local std::string last_error;

void set_error(const char *message) { last_error = message ? message : "(no message)"; }

std::string decimal_string(double value) {
  if (!std::isfinite(value)) throw std::invalid_argument("non-finite decimal value");
  char buffer[64];
  for (int precision = 16; precision > 0; --precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strlen(buffer) <= 16) return buffer;
  }
  throw std::invalid_argument("decimal value does not fit 16 characters");
}

void save_atomically(DcmFileFormat &file, const std::string &path, const std::string &what) {
  if (path.empty()) throw std::invalid_argument(what + ": empty path");
  const auto slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string pattern = folder + "." + name + ".XXXXXX.tmp";
  std::vector<char> temporary(pattern.begin(), pattern.end());
  temporary.push_back('\0');
  const int created = mkstemps(temporary.data(), 4);
  if (created < 0) {
    throw std::runtime_error(what + ": cannot create a temporary file in its folder: " + std::strerror(errno));
  }
  fchmod(created, 0644);
  close(created);
  const std::string temp(temporary.data());
  auto fail = [&](const std::string &detail) {
    unlink(temp.c_str());
    throw std::runtime_error(what + ": " + detail);
  };
  const OFCondition written = file.saveFile(temp.c_str(), EXS_LittleEndianExplicit);
  if (written.bad()) fail(written.text());
  const int flushed = open(temp.c_str(), O_RDONLY);
  if (flushed < 0 || fsync(flushed) != 0) {
    const std::string reason = std::strerror(errno);
    if (flushed >= 0) close(flushed);
    fail("cannot flush the written file: " + reason);
  }
  close(flushed);
  if (std::rename(temp.c_str(), path.c_str()) != 0) fail(std::string("cannot rename the written file: ") + std::strerror(errno));
}

}  // namespace cdcmtk

namespace {

// DCMTK logs warnings to standard error (absent type 2 attributes, headers read without pixel data); the shim
// reports failures through its status and message, so only DCMTK's errors stay on the console.
const bool quiet_logger = [] {
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  return true;
}();

// The object at `path`, or nullptr when the path does not exist. Throws for a malformed path.
DcmObject *find(DcmDataset &dataset, const std::string &path, bool create) {
  DcmPathProcessor processor;
  OFCondition status = processor.findOrCreatePath(&dataset, path.c_str(), create ? OFTrue : OFFalse);
  if (status == EC_TagNotFound || status == EC_ItemNotFound || status == EC_SequEnd) return nullptr;
  require(status, "attribute path \"" + path + "\"");
  OFList<DcmPath *> results;
  if (processor.getResults(results) == 0) return nullptr;
  DcmPathNode *node = results.front()->back();
  return node ? node->m_obj : nullptr;
}

}  // namespace

extern "C" {

const char *cd_last_error(void) { return cdcmtk::last_error.c_str(); }

const char *cd_dcmtk_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

cd_status cd_new_uid(char *buffer, int64_t size, int64_t *needed) {
  return guard([&] {
    char uid[100];
    copy_string(dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT), buffer, size, needed);
  });
}

cd_status cd_dataset_load(const char *path, int32_t headers_only, CDDataset **out) {
  return guard([&] {
    require_out(out, "out");
    *out = nullptr;
    auto handle = std::make_unique<CDDataset>();
    std::string file = text(path, "path");
    OFCondition status = headers_only
        ? handle->file.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                        DCM_PixelData)
        : handle->file.loadFile(file.c_str());
    require(status, "not a readable DICOM file");
    *out = handle.release();
  });
}

cd_status cd_dataset_new(CDDataset **out) {
  return guard([&] {
    require_out(out, "out");
    *out = new CDDataset();
  });
}

void cd_dataset_free(CDDataset *dataset) { delete dataset; }

cd_status cd_dataset_get_string(const CDDataset *dataset, const char *path, char *buffer, int64_t size,
                                int64_t *needed, int32_t *present) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    require_out(present, "present");
    auto &items = const_cast<CDDataset *>(dataset)->dataset();
    DcmObject *object = find(items, text(path, "path"), false);
    OFString value;
    *present = 0;
    if (object != nullptr) {
      if (!object->isLeaf()) throw std::invalid_argument(std::string("\"") + path + "\" is a sequence or item");
      require(static_cast<DcmElement *>(object)->getOFStringArray(value), std::string("reading ") + path);
      *present = 1;
    }
    copy_string(value.c_str(), buffer, size, needed);
  });
}

cd_status cd_dataset_sequence_count(const CDDataset *dataset, const char *path, int64_t *count) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    require_out(count, "count");
    auto &items = const_cast<CDDataset *>(dataset)->dataset();
    DcmObject *object = find(items, text(path, "path"), false);
    *count = 0;
    if (object == nullptr) return;
    if (object->ident() != EVR_SQ) throw std::invalid_argument(std::string("\"") + path + "\" is not a sequence");
    *count = static_cast<int64_t>(static_cast<DcmSequenceOfItems *>(object)->card());
  });
}

cd_status cd_dataset_put_string(CDDataset *dataset, const char *path, const char *value) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    std::string where = text(path, "path");
    DcmObject *object = find(dataset->dataset(), where, true);
    if (object == nullptr || !object->isLeaf()) throw std::invalid_argument("\"" + where + "\" is not an attribute");
    require(static_cast<DcmElement *>(object)->putString(text(value, "value").c_str()), "setting " + where);
  });
}

cd_status cd_dataset_put_pixels16(CDDataset *dataset, const uint16_t *words, int64_t count) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    if (count <= 0 || words == nullptr || count > 0x7fffffff) throw std::invalid_argument("bad pixel buffer");
    require(dataset->dataset().putAndInsertUint16Array(DCM_PixelData, words, static_cast<unsigned long>(count)),
            "setting PixelData");
  });
}

cd_status cd_dataset_put_pixels8(CDDataset *dataset, const uint8_t *bytes, int64_t count) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    if (count <= 0 || bytes == nullptr || count > 0x7ffffffe) throw std::invalid_argument("bad pixel buffer");
    require(dataset->dataset().putAndInsertUint8Array(DCM_PixelData, bytes, static_cast<unsigned long>(count)),
            "setting PixelData");
  });
}

cd_status cd_dataset_get_pixel_bytes(const CDDataset *dataset, uint8_t *buffer, int64_t size, int64_t *needed) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    require_out(needed, "needed");
    DcmElement *element = nullptr;
    *needed = 0;
    if (const_cast<CDDataset *>(dataset)->dataset().findAndGetElement(DCM_PixelData, element).bad() || !element) return;
    Uint8 *data = nullptr;
    require(element->getUint8Array(data), "reading PixelData");
    int64_t length = static_cast<int64_t>(element->getLength());
    *needed = length;
    if (buffer && data && size > 0) std::memcpy(buffer, data, static_cast<size_t>(std::min(size, length)));
  });
}

cd_status cd_dataset_save(CDDataset *dataset, const char *path) {
  return guard([&] {
    if (dataset == nullptr) throw std::invalid_argument("null dataset handle");
    save_atomically(dataset->file, text(path, "path"), "writing DICOM file");
  });
}

}  // extern "C"
