// images.cpp: images: create, read and write (imgcodecs), copy, convert, flip, resize.

#include "shim_internal.hpp"

#include <opencv2/imgcodecs.hpp>

using namespace cvs;

extern "C" {

cvs_status cvs_image_create(cvs_image **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no output handle");
    *out = new cvs_image();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_create_from_bytes(const uint8_t *data, int32_t width, int32_t height,
                                       int32_t channels, size_t stride, cvs_image **out,
                                       cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || data == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no data or output handle");
    }
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
        return fail(error, CVS_INVALID_ARGUMENT, "image must be non-empty with 1 or 3 channels");
    }
    if (stride < size_t(width) * size_t(channels)) {
        return fail(error, CVS_INVALID_ARGUMENT, "row stride shorter than a row");
    }
    const cv::Mat view(height, width, CV_8UC(channels), const_cast<uint8_t *>(data), stride);
    auto image = std::make_unique<cvs_image>();
    image->mat = view.clone();
    *out = image.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_image_destroy(cvs_image *image) {
    try {
        delete image;
    } catch (...) {
    }
}

void cvs_image_size(const cvs_image *image, int32_t *width, int32_t *height, int32_t *channels) {
    try {
        const bool empty = image == nullptr || image->mat.empty();
        if (width) *width = empty ? 0 : image->mat.cols;
        if (height) *height = empty ? 0 : image->mat.rows;
        if (channels) *channels = empty ? 0 : image->mat.channels();
    } catch (...) {
    }
}

const uint8_t *cvs_image_data(const cvs_image *image, size_t *stride) {
    try {
        if (image == nullptr || image->mat.empty()) {
            if (stride) *stride = 0;
            return nullptr;
        }
        if (stride) *stride = image->mat.step[0];
        return image->mat.ptr<uint8_t>(0);
    } catch (...) {
        return nullptr;
    }
}

cvs_status cvs_image_copy(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image");
    }
    if (source != destination) source->mat.copyTo(destination->mat);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_read(const char *path, int32_t grey, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (path == nullptr || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or image");
    }
    if (!file_exists(path)) {
        return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    }
    cv::Mat mat = imgcodecs().imread(path, grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (mat.empty()) {
        return fail(error, CVS_NOT_FOUND, std::string(path) + ": not a readable image");
    }
    destination->mat = std::move(mat);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_decode(const uint8_t *data, size_t size, int32_t grey, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (data == nullptr || size == 0 || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no bytes or image");
    }
    // A header over the caller's bytes: imdecode reads them, never keeps them.
    cv::Mat encoded(1, static_cast<int>(std::min<size_t>(size, INT32_MAX)), CV_8UC1, const_cast<uint8_t *>(data));
    cv::Mat mat = imgcodecs().imdecode(cv::_InputArray(encoded), grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "the image data cannot be decoded");
    }
    destination->mat = std::move(mat);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_write(const cvs_image *image, const char *path, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (path == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or empty image");
    }
    if (!imgcodecs().imwrite(path, cv::_InputArray(image->mat), std::vector<int>())) {
        return fail(error, CVS_ERROR, std::string(path) + ": could not write image");
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_to_grey(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (source->mat.channels() == 1) {
        if (source != destination) source->mat.copyTo(destination->mat);
    } else {
        cv::Mat grey = grey_of(source->mat);
        destination->mat = std::move(grey);
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_to_bgr(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (source->mat.channels() == 3) {
        if (source != destination) source->mat.copyTo(destination->mat);
    } else {
        cv::Mat bgr;
        cv::cvtColor(source->mat, bgr,
                     source->mat.channels() == 4 ? cv::COLOR_BGRA2BGR : cv::COLOR_GRAY2BGR);
        destination->mat = std::move(bgr);
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_flip_horizontal(const cvs_image *source, cvs_image *destination,
                                     cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    cv::flip(source->mat, destination->mat, 1);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_resize(const cvs_image *source, int32_t width, int32_t height, int32_t area,
                            cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (width <= 0 || height <= 0) return fail(error, CVS_INVALID_ARGUMENT, "size must be positive");
    cv::Mat resized;
    cv::resize(source->mat, resized, cv::Size(width, height), 0, 0,
               area ? cv::INTER_AREA : cv::INTER_LINEAR);
    destination->mat = std::move(resized);
    return CVS_OK;
    CVS_GUARD_END
}

}  // extern "C"
