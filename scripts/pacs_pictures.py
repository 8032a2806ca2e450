"""Makes the README's two pictures of NeoICH's DICOM results as they come back out of Orthanc.

Run through scripts/pacs-pictures, which installs what it needs from Debian (orthanc, orthanc-webviewer,
chromium, python3-pydicom, python3-pil). Steps:

  1. Examples/synthetic_A_case1.nii.gz (a synthetic head CT) becomes a 31-image CT series (pydicom; one
     image per axial slice, geometry from the NIfTI affine), uploaded to a private Orthanc (loopback, free
     port, Orthanc's web viewer plugin loaded) started with a temporary configuration;
  2. `neoich watch --once --no-mirroring` with the bundled demo models (Models/) predicts and uploads SEG,
     SR and SC (without test-time mirroring, 8× less work, to keep the script short on a small machine);
  3. docs/images/pacs-webviewer.png: headless Chromium's screenshots of Orthanc Explorer's study page (the
     series Orthanc holds: CT, SEG, SR, SC) and of Orthanc's own web viewer (Debian orthanc-webviewer) on
     the CT series and on NeoICH's Secondary Capture (the overlay montage), side by side. The web viewer
     draws images only, not DICOM SEG;
  4. docs/images/pacs-seg-over-ct.png: the SEG downloaded from Orthanc (`/instances/{id}/file`) and read by
     pydicom, its ICH and PHE frames drawn over the CT image each frame references (the CT image also
     downloaded from Orthanc), for the slice with the most ICH. Drawn by this script, not by a viewer.

    scripts/pacs-pictures [path/to/neoich]      # default .build/release/neoich

Prints what it did; both PNGs are kept under 300 KB.
"""
import gzip
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
import pydicom
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
WEB_VIEWER = "/usr/share/orthanc/plugins/libOrthancWebViewer.so"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def log(message):
    print("pacs-pictures: " + message, flush=True)


def read_nifti(path):
    """A NIfTI-1 volume (x, y, z) in HU and its sform (RAS), read with NumPy alone."""
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    if struct.unpack("<i", raw[:4])[0] != 348:
        sys.exit("%s: not a little-endian NIfTI-1 file" % path)
    dim = struct.unpack("<8h", raw[40:56])
    datatype = struct.unpack("<h", raw[70:72])[0]
    offset = int(struct.unpack("<f", raw[108:112])[0])
    slope, intercept = struct.unpack("<2f", raw[112:120])
    if struct.unpack("<h", raw[254:256])[0] <= 0:
        sys.exit("%s: no sform" % path)
    dtype = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 512: np.uint16}[datatype]
    shape = dim[1:1 + dim[0]]
    data = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"), count=int(np.prod(shape)), offset=offset)
    volume = data.reshape(shape, order="F").astype(np.float64)
    if slope not in (0.0, 1.0) or intercept != 0.0:
        volume = volume * (slope or 1.0) + intercept
    affine = np.eye(4)
    affine[:3] = np.array(struct.unpack("<12f", raw[280:328]), dtype=np.float64).reshape(3, 4)
    return volume, affine


def write_series(volume, affine, folder):
    """One CT image per z slice: pixel (row r, column c) = voxel (x=c, y=r, z), DICOM geometry from the affine."""
    lps = np.array([-1.0, -1.0, 1.0])
    row_dir = lps * affine[:3, 0] / np.linalg.norm(affine[:3, 0])
    col_dir = lps * affine[:3, 1] / np.linalg.norm(affine[:3, 1])
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    files = []
    for z in range(volume.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.Modality, ds.ImageType = "CT", ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PatientName, ds.PatientID = "Synthetic^CaseA1", "NEOICH-EXAMPLE-1"
        ds.StudyDescription, ds.SeriesDescription = "Synthetic head CT (NeoICH example)", "Head CT 5 mm"
        ds.StudyDate, ds.StudyTime, ds.AccessionNumber, ds.ReferringPhysicianName, ds.StudyID = "20260101", "120000", "", "", "1"
        ds.PatientBirthDate, ds.PatientSex = "", "O"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.SeriesNumber, ds.InstanceNumber = 2, z + 1
        position = lps * (affine @ np.array([0, 0, z, 1.0]))[:3]
        ds.ImagePositionPatient = [round(float(v), 4) for v in position]
        ds.ImageOrientationPatient = [round(float(v), 6) for v in list(row_dir) + list(col_dir)]
        ds.PixelSpacing = [round(float(np.linalg.norm(affine[:3, 1])), 6), round(float(np.linalg.norm(affine[:3, 0])), 6)]
        ds.SliceThickness = round(float(np.linalg.norm(affine[:3, 2])), 6)
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows, ds.Columns = volume.shape[1], volume.shape[0]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 80
        ds.PixelData = np.clip(np.round(volume[:, :, z].T + 1024), 0, 65535).astype(np.uint16).tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        name = os.path.join(folder, "CT%04d.dcm" % (z + 1))
        ds.save_as(name, write_like_original=False)
        files.append(name)
    return files


class Orthanc:
    """A private Orthanc on a free loopback port with the web viewer plugin, authentication off."""

    def __init__(self, folder):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dicom_port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        configuration = {
            "Name": "NeoICH pictures", "StorageDirectory": os.path.join(folder, "storage"),
            "IndexDirectory": os.path.join(folder, "storage"), "HttpPort": self.port, "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False, "DicomServerEnabled": False, "DicomPort": dicom_port, "StableAge": 2,
            "Plugins": [WEB_VIEWER], "HttpCompressionEnabled": False,
        }
        path = os.path.join(folder, "orthanc.json")
        with open(path, "w") as f:
            json.dump(configuration, f)
        self.log = open(os.path.join(folder, "orthanc.log"), "wb")
        self.process = subprocess.Popen(["/usr/sbin/Orthanc", path], stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        while True:
            try:
                self.get("system")
                return
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit("Orthanc did not start; see %s" % os.path.join(folder, "orthanc.log"))
                time.sleep(0.2)

    def request(self, method, path, body=None):
        req = urllib.request.Request(self.url + "/" + path, data=body, method=method)
        with urllib.request.urlopen(req, timeout=120) as answer:
            return answer.read()

    def get(self, path):
        return json.loads(self.request("GET", path))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def dicom_lab_to_rgb(values):
    """A DICOM Recommended Display CIELab Value (L*, a*, b* scaled to 0…65535) as sRGB 0…255 (D65)."""
    l, a, b = values[0] * 100 / 65535, values[1] * 255 / 65535 - 128, values[2] * 255 / 65535 - 128
    fy = (l + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def finv(t):
        return t ** 3 if t ** 3 > 0.008856 else (t - 16 / 116) / 7.787
    x, y, z = 0.95047 * finv(fx), 1.0 * finv(fy), 1.08883 * finv(fz)
    linear = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]) @ [x, y, z]
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.clip(linear, 0, None) ** (1 / 2.4) - 0.055)
    return np.clip(np.round(srgb * 255), 0, 255)


def brain_window(hu):
    return (np.clip((hu - 0.0) / 80.0, 0, 1) * 255).astype(np.uint8)


def draw_seg_over_ct(orthanc, study_id, folder, out_path):
    """The SEG as Orthanc returns it, read by pydicom, drawn over the CT images its frames reference."""
    series = orthanc.get("studies/%s/series" % study_id)
    seg_series = [s for s in series if s["MainDicomTags"].get("Modality") == "SEG"]
    ct_series = [s for s in series if s["MainDicomTags"].get("Modality") == "CT"]
    if len(seg_series) != 1 or len(ct_series) != 1:
        sys.exit("expected one SEG and one CT series in the study, found %s" % [s["MainDicomTags"].get("Modality") for s in series])
    seg_id = seg_series[0]["Instances"][0]
    seg = pydicom.dcmread(io.BytesIO(orthanc.request("GET", "instances/%s/file" % seg_id)))
    ct = {}
    for instance in ct_series[0]["Instances"]:
        ds = pydicom.dcmread(io.BytesIO(orthanc.request("GET", "instances/%s/file" % instance)))
        ct[ds.SOPInstanceUID] = ds
    frames = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
    labels = {int(s.SegmentNumber): s.SegmentLabel for s in seg.SegmentSequence}
    colours = {s.SegmentLabel: dicom_lab_to_rgb([int(v) for v in s.RecommendedDisplayCIELabValue]) for s in seg.SegmentSequence}
    by_image = {}
    for k, group in enumerate(seg.PerFrameFunctionalGroupsSequence):
        uid = group.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        position = [float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient]
        if not np.allclose(position, [float(v) for v in ct[uid].ImagePositionPatient], atol=1e-3):
            sys.exit("SEG frame %d is not at the position of the CT image it references" % k)
        by_image.setdefault(uid, {})[labels[segment]] = (k, frames[k])
    uid = max(by_image, key=lambda u: int(by_image[u]["ICH"][1].sum()))
    image = ct[uid]
    hu = image.pixel_array.astype(np.float64) * float(image.RescaleSlope) + float(image.RescaleIntercept)
    gray = brain_window(hu)
    ich, phe = by_image[uid]["ICH"][1].astype(bool), by_image[uid]["PHE"][1].astype(bool)

    # Crop to the head (+ margin) so the picture stays small and readable.
    rows, cols = np.nonzero(hu > -200)
    r0, r1 = max(rows.min() - 8, 0), min(rows.max() + 9, hu.shape[0])
    c0, c1 = max(cols.min() - 8, 0), min(cols.max() + 9, hu.shape[1])
    gray, ich, phe = gray[r0:r1, c0:c1], ich[r0:r1, c0:c1], phe[r0:r1, c0:c1]
    rgb = np.stack([gray] * 3, axis=-1).astype(np.float64)
    overlay = rgb.copy()
    # Each segment in the SEG's own Recommended Display CIELab colour (ICH red, PHE yellow).
    overlay[ich] = 0.45 * overlay[ich] + 0.55 * colours["ICH"]
    overlay[phe] = 0.55 * overlay[phe] + 0.45 * colours["PHE"]
    left = Image.fromarray(rgb.astype(np.uint8))
    right = Image.fromarray(overlay.astype(np.uint8))
    width = left.width * 2 + 12
    caption_height = 156
    canvas = Image.new("RGB", (width, left.height + caption_height), (255, 255, 255))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + 12, 0))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(FONT, 12) if os.path.exists(FONT) else ImageFont.load_default()
    k_ich, k_phe = by_image[uid]["ICH"][0], by_image[uid]["PHE"][0]
    lines = [
        "Left: CT image %s of series %s as stored in Orthanc (brain window 40/80 HU)." % (image.InstanceNumber, image.SeriesNumber),
        "Right: NeoICH's DICOM SEG downloaded from Orthanc, read by pydicom %s:" % pydicom.__version__,
        "frame %d (ICH, red, %d px) and frame %d (PHE, yellow, %d px), both referencing"
        % (k_ich + 1, int(ich.sum()), k_phe + 1, int(phe.sum())),
        "this CT image and lying at its position; in the SEG's recommended display colours",
        "(the montage uses the reader's colours: ICH green, PHE red).",
        "Drawn by scripts/pacs-pictures, not by a DICOM viewer (none that draws SEG was available).",
        "Synthetic data (Examples/synthetic_A_case1.nii.gz), demo models, no mirroring; research use only.",
    ]
    for n, line in enumerate(lines):
        draw.text((6, left.height + 6 + 21 * n), line, fill=(0, 0, 0), font=font)
    save_small(canvas, out_path)
    return {"seg": seg_id, "ctImage": int(image.InstanceNumber), "ichPixels": int(ich.sum()), "phePixels": int(phe.sum()),
            "frames": [k_ich + 1, k_phe + 1]}


def save_small(image, path, limit=300_000):
    """PNG under `limit` bytes: full colour if it fits, else a 256-colour palette by octree (which keeps small
    areas of rare colours, such as the montage's green ICH, that a median cut merges away), else shrunk."""
    for _ in range(8):
        for candidate in (image, image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)):
            buffer = io.BytesIO()
            candidate.save(buffer, "PNG", optimize=True)
            if buffer.tell() < limit:
                tmp = path + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(buffer.getvalue())
                os.replace(tmp, path)
                return buffer.tell()
        image = image.resize((int(image.width * 0.9), int(image.height * 0.9)), Image.LANCZOS)
    sys.exit("%s: cannot get the picture under %d bytes" % (path, limit))


def screenshot(url, folder, name, size):
    """Headless Chromium's screenshot of `url` (JavaScript given 20 s of virtual time to load the images)."""
    raw = os.path.join(folder, name)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=%d,%d" % size,
               "--virtual-time-budget=20000", "--user-data-dir=" + os.path.join(folder, "chromium"),
               "--screenshot=" + raw, url]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    return Image.open(raw).convert("RGB")


def screenshot_web_viewer(orthanc, study_id, folder, out_path):
    """Orthanc Explorer's page of the study (its series: CT, SEG, SR, SC) above Orthanc's web viewer opened on
    the CT series and on NeoICH's Secondary Capture, side by side; three headless-Chromium screenshots."""
    series = orthanc.get("studies/%s/series" % study_id)
    ct = [s for s in series if s["MainDicomTags"].get("Modality") == "CT"]
    sc = [s for s in series if s["MainDicomTags"].get("Modality") == "OT"]
    if len(ct) != 1 or len(sc) != 1:
        sys.exit("expected one CT and one Secondary Capture series in the study")
    explorer = screenshot("%s/app/explorer.html#study?uuid=%s" % (orthanc.url, study_id), folder, "explorer.png", (1000, 640))
    viewer = "%s/web-viewer/app/viewer.html?series=%s"
    left = screenshot(viewer % (orthanc.url, ct[0]["ID"]), folder, "viewer-ct.png", (760, 640))
    right = screenshot(viewer % (orthanc.url, sc[0]["ID"]), folder, "viewer-sc.png", (760, 640))
    font = ImageFont.truetype(FONT, 18) if os.path.exists(FONT) else ImageFont.load_default()
    width = left.width + right.width + 10
    canvas = Image.new("RGB", (width, explorer.height + left.height + 10 + 3 * 30), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.text((8, 4), "Orthanc Explorer: the study after neoich watch (CT, SEG, SR and the montage's Secondary Capture)",
              fill=(0, 0, 0), font=font)
    canvas.paste(explorer, (0, 30))
    y = 30 + explorer.height + 4
    draw.text((8, y), "Orthanc Web Viewer: the CT series", fill=(0, 0, 0), font=font)
    draw.text((left.width + 18, y), "Orthanc Web Viewer: NeoICH's Secondary Capture", fill=(0, 0, 0), font=font)
    canvas.paste(left, (0, y + 28))
    canvas.paste(right, (left.width + 10, y + 28))
    y += 28 + left.height + 4
    draw.text((8, y), "Screenshots by headless Chromium (scripts/pacs-pictures). The web viewer draws images, not DICOM SEG.",
              fill=(0, 0, 0), font=font)
    size = save_small(canvas, out_path)
    return {"ctSeries": ct[0]["ID"], "scSeries": sc[0]["ID"], "bytes": size}


def main():
    neoich = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "neoich"))
    images = os.path.join(ROOT, "docs", "images")
    os.makedirs(images, exist_ok=True)
    work = tempfile.mkdtemp(prefix="neoich-pacs-pictures-")
    orthanc = None
    try:
        volume, affine = read_nifti(os.path.join(ROOT, "Examples", "synthetic_A_case1.nii.gz"))
        ct_folder = os.path.join(work, "ct")
        os.makedirs(ct_folder)
        files = write_series(volume, affine, ct_folder)
        log("wrote %d CT images from Examples/synthetic_A_case1.nii.gz" % len(files))
        orthanc = Orthanc(work)
        for name in files:
            with open(name, "rb") as f:
                orthanc.request("POST", "instances", f.read())
        study_id = orthanc.get("studies")[0]
        deadline = time.time() + 60
        while not orthanc.get("studies/%s" % study_id).get("IsStable"):
            if time.time() > deadline:
                sys.exit("the study did not become stable")
            time.sleep(0.5)
        log("uploaded to Orthanc %s; running neoich watch --once with the demo models" % orthanc.url)
        started = time.time()
        run = subprocess.run([neoich, "watch", "--once", "--orthanc", orthanc.url, "--state", os.path.join(work, "state.json"),
                              "-o", os.path.join(work, "cases"), "--no-mirroring",
                              "--segmentation-model", os.path.join(ROOT, "Models", "segmentation"),
                              "--classifier-model", os.path.join(ROOT, "Models", "classifier")],
                             capture_output=True, text=True)
        if run.returncode != 0 or "1 done" not in run.stdout:
            sys.exit("neoich watch failed:\n%s\n%s" % (run.stdout, run.stderr))
        log("neoich watch: %s (%.0f s)" % (run.stdout.strip().splitlines()[-1], time.time() - started))
        seg = draw_seg_over_ct(orthanc, study_id, work, os.path.join(images, "pacs-seg-over-ct.png"))
        log("docs/images/pacs-seg-over-ct.png: %s" % json.dumps(seg))
        shot = screenshot_web_viewer(orthanc, study_id, work, os.path.join(images, "pacs-webviewer.png"))
        log("docs/images/pacs-webviewer.png: %s" % json.dumps(shot))
    finally:
        if orthanc:
            orthanc.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
