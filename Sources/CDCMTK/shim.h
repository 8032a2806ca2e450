// Internal to the CDCMTK shim: handle definitions, string helpers and the error-capturing wrapper.
#pragma once

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "cdcmtk.h"

struct CDDataset {
  DcmFileFormat file;
  DcmDataset &dataset() { return *file.getDataset(); }
};

namespace cdcmtk {

void set_error(const char *message);

// Every entry point runs its body through this: C++ exceptions become CD_ERROR plus a thread-local message;
// nothing ever unwinds into Swift.
template <typename F>
cd_status guard(F &&body) {
  try {
    body();
    return CD_OK;
  } catch (const std::exception &e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in DCMTK");
  }
  return CD_ERROR;
}

// Throws with DCMTK's condition text when `condition` is bad.
inline void require(const OFCondition &condition, const std::string &what) {
  if (condition.bad()) throw std::runtime_error(what + ": " + condition.text());
}

template <typename T>
void require_out(T *out, const char *name) {
  if (out == nullptr) throw std::invalid_argument(std::string("null output pointer ") + name);
}

inline std::string text(const char *value, const char *name) {
  if (value == nullptr) throw std::invalid_argument(std::string("null string ") + name);
  return value;
}

// Copies a string into a caller buffer (always NUL-terminated) and reports the size needed.
inline void copy_string(const std::string &value, char *buffer, int64_t size, int64_t *needed) {
  if (needed) *needed = static_cast<int64_t>(value.size()) + 1;
  if (buffer && size > 0) {
    size_t n = std::min(value.size(), static_cast<size_t>(size - 1));
    std::memcpy(buffer, value.data(), n);
    buffer[n] = '\0';
  }
}

// A decimal string (DS) of at most 16 characters, as precise as fits.
std::string decimal_string(double value);

// Writes `file` (explicit VR little endian) so that `path` never names a half-written object: DCMTK writes a
// hidden temporary file in the same folder, which is flushed to disk and then renamed over `path`; on any
// failure the temporary file is removed and `path` is left as it was. `what` starts the error message.
void save_atomically(DcmFileFormat &file, const std::string &path, const std::string &what);

}  // namespace cdcmtk
