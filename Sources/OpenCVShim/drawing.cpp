// drawing.cpp: drawing on frames: boxes, fills, text.

#include "shim_internal.hpp"

using namespace cvs;

extern "C" {

cvs_status cvs_draw_rect(cvs_image *image, cvs_rect rect, cvs_color color, int32_t thickness,
                         cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    cv::rectangle(image->mat, cv::Rect(rect.x, rect.y, rect.width, rect.height), scalar(color),
                  std::max(1, thickness), cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_fill_rect(cvs_image *image, cvs_rect rect, cvs_color color, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    cv::rectangle(image->mat, cv::Rect(rect.x, rect.y, rect.width, rect.height), scalar(color),
                  cv::FILLED);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_draw_line(cvs_image *image, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                         cvs_color color, int32_t thickness, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    if (thickness < 1) return fail(error, CVS_INVALID_ARGUMENT, "thickness must be >= 1");
    cv::line(image->mat, cv::Point(x0, y0), cv::Point(x1, y1), scalar(color), thickness, cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_draw_text(cvs_image *image, const char *text, int32_t x, int32_t y,
                         double font_scale, cvs_color color, int32_t thickness, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty() || text == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "empty image or no text");
    }
    cv::putText(image->mat, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, font_scale,
                scalar(color), std::max(1, thickness), cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_text_size(const char *text, double font_scale, int32_t thickness, int32_t *width,
                         int32_t *height, int32_t *baseline, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (text == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no text");
    int base = 0;
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, std::max(1, thickness), &base);
    if (width) *width = size.width;
    if (height) *height = size.height;
    if (baseline) *baseline = base;
    return CVS_OK;
    CVS_GUARD_END
}

}  // extern "C"
