// video_writer.cpp: the annotated-video writer (videoio, loaded on first use).

#include "shim_internal.hpp"

using namespace cvs;

extern "C" {

cvs_status cvs_writer_open(const char *path, const char *fourcc, double fps, int32_t width,
                           int32_t height, cvs_writer **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr || fourcc == nullptr || std::strlen(fourcc) != 4) {
        return fail(error, CVS_INVALID_ARGUMENT, "need a path, a four-character code and a handle");
    }
    if (width <= 0 || height <= 0 || !(fps > 0)) {
        return fail(error, CVS_INVALID_ARGUMENT, "size and fps must be positive");
    }
    auto writer = std::make_unique<cvs_writer>();
    writer->writer = std::make_unique<LoadedWriter>(videoio().writer_constructor);
    cv::VideoWriter &video = writer->writer->get();
    // cv::VideoWriter::fourcc, which is not virtual: the four characters, first in the low byte.
    const int code = (fourcc[0] & 255) | (fourcc[1] & 255) << 8 | (fourcc[2] & 255) << 16 | (fourcc[3] & 255) << 24;
    if (!video.open(path, code, fps, cv::Size(width, height), true) || !video.isOpened()) {
        return fail(error, CVS_ERROR, std::string(path) + ": could not open for writing video");
    }
    *out = writer.release();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_writer_write(cvs_writer *writer, const cvs_image *image, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (writer == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no writer or empty image");
    }
    writer->writer->get().write(cv::_InputArray(image->mat));
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_writer_destroy(cvs_writer *writer) {
    if (writer == nullptr) return;
    try {
        if (writer->writer) writer->writer->get().release();
    } catch (...) {
    }
    try {
        delete writer;
    } catch (...) {
    }
}

}  // extern "C"
