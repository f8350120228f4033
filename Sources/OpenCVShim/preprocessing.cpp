// preprocessing.cpp: face crops and FER-2013 rows to the model's float input, through one
// resize-and-scale path.

#include "shim_internal.hpp"

namespace cvs {

// The single resize-and-scale path shared by live faces and FER-2013 rows. The resize runs on
// float pixels (no rounding back to bytes); shrinking uses INTER_AREA, which averages the source
// pixels each output pixel covers, and enlarging (a 48x48 FER-2013 face for a 64x64 model, a
// face smaller than the model's input) uses INTER_LINEAR, as Keras pipelines do with
// cv2.resize: reproducing mini-Xception's published 0.6551 on FER-2013 depends on it. Then
// value * scale + offset is copied into every channel, HWC.
cvs_status resize_to_floats(const cv::Mat &grey, int32_t out_width, int32_t out_height,
                            int32_t out_channels, float scale, float offset, float *out,
                            size_t capacity, cvs_error *error) {
    if (out_width <= 0 || out_height <= 0 || out_channels <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "output size must be positive");
    }
    const size_t needed = size_t(out_width) * size_t(out_height) * size_t(out_channels);
    if (out == nullptr || capacity < needed) {
        return fail(error, CVS_INVALID_ARGUMENT,
                    "float buffer holds " + std::to_string(capacity) + " values, " +
                        std::to_string(needed) + " needed");
    }
    cv::Mat pixels;
    grey.convertTo(pixels, CV_32F);
    cv::Mat resized;
    if (pixels.cols == out_width && pixels.rows == out_height) {
        resized = pixels;
    } else {
        const bool shrinking = out_width <= pixels.cols && out_height <= pixels.rows;
        cv::resize(pixels, resized, cv::Size(out_width, out_height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    float *p = out;
    for (int y = 0; y < out_height; ++y) {
        const float *row = resized.ptr<float>(y);
        for (int x = 0; x < out_width; ++x) {
            const float v = row[x] * scale + offset;
            for (int c = 0; c < out_channels; ++c) *p++ = v;
        }
    }
    return CVS_OK;
}

}  // namespace cvs

using namespace cvs;

extern "C" {

cvs_status cvs_crop_resize_to_floats(const cvs_image *image, cvs_rect rect, int32_t out_width,
                                     int32_t out_height, int32_t out_channels, float scale,
                                     float offset, float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    const cv::Rect bounds(0, 0, image->mat.cols, image->mat.rows);
    const cv::Rect crop = cv::Rect(rect.x, rect.y, rect.width, rect.height) & bounds;
    if (crop.width <= 0 || crop.height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "crop rect is empty inside the image");
    }
    const cv::Mat region = image->mat(crop);
    return resize_to_floats(grey_of(region), out_width, out_height, out_channels, scale, offset,
                            out, capacity, error);
    CVS_GUARD_END
}

cvs_status cvs_grey_bytes_resize_to_floats(const uint8_t *pixels, int32_t width, int32_t height,
                                           int32_t out_width, int32_t out_height,
                                           int32_t out_channels, float scale, float offset,
                                           float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (pixels == nullptr || width <= 0 || height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "no pixels");
    }
    const cv::Mat grey(height, width, CV_8UC1, const_cast<uint8_t *>(pixels));
    return resize_to_floats(grey, out_width, out_height, out_channels, scale, offset, out,
                            capacity, error);
    CVS_GUARD_END
}

}  // extern "C"
