// cascade.cpp: Haar cascades: loading and face search (whole picture, a region, in bands).

#include "shim_internal.hpp"

using namespace cvs;

extern "C" {

cvs_status cvs_cascade_load(const char *path, cvs_cascade **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or output handle");
    }
    if (!file_exists(path)) return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    auto cascade = std::make_unique<cvs_cascade>();
    bool loaded = false;
    try {
        loaded = cascade->classifier.load(path);
    } catch (const cv::Exception &e) {
        return fail(error, CVS_ERROR, std::string(path) + ": not a cascade (" + describe(e) + ")");
    }
    if (!loaded || cascade->classifier.empty()) {
        return fail(error, CVS_ERROR, std::string(path) + ": not a Haar cascade file");
    }
    *out = cascade.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_cascade_destroy(cvs_cascade *cascade) {
    try {
        delete cascade;
    } catch (...) {
    }
}

cvs_status cvs_cascade_detect(cvs_cascade *cascade, const cvs_image *grey, double scale_factor,
                              int32_t min_neighbors, int32_t min_width, int32_t min_height,
                              int32_t max_width, int32_t max_height, cvs_rect *rects,
                              size_t capacity, size_t *count, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (count) *count = 0;
    if (cascade == nullptr || grey == nullptr || grey->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no cascade or empty image");
    }
    if (!(scale_factor > 1.0)) return fail(error, CVS_INVALID_ARGUMENT, "scale factor must be > 1");
    if (min_neighbors < 0) return fail(error, CVS_INVALID_ARGUMENT, "min neighbours must be >= 0");
    std::vector<cv::Rect> found;
    cascade->classifier.detectMultiScale(grey_of(grey->mat), found, scale_factor, min_neighbors, 0,
                                         cv::Size(std::max(0, min_width), std::max(0, min_height)),
                                         cv::Size(std::max(0, max_width), std::max(0, max_height)));
    const size_t stored = std::min(found.size(), rects ? capacity : size_t(0));
    for (size_t i = 0; i < stored; ++i) {
        rects[i] = cvs_rect{found[i].x, found[i].y, found[i].width, found[i].height};
    }
    if (count) *count = found.size();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_cascade_detect_in(cvs_cascade *cascade, const cvs_image *image, cvs_rect region,
                                 double shrink, double scale_factor, int32_t min_neighbors,
                                 int32_t min_width, int32_t min_height, int32_t max_width,
                                 int32_t max_height, cvs_rect *rects, int32_t *neighbors,
                                 size_t capacity, size_t *count, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (count) *count = 0;
    if (cascade == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no cascade or empty image");
    }
    if (!(scale_factor > 1.0)) return fail(error, CVS_INVALID_ARGUMENT, "scale factor must be > 1");
    if (min_neighbors < 0) return fail(error, CVS_INVALID_ARGUMENT, "min neighbours must be >= 0");
    if (!(shrink >= 1.0) || shrink > 64.0) return fail(error, CVS_INVALID_ARGUMENT, "shrink must be in [1, 64]");
    const cv::Mat grey = grey_of(image->mat);
    cv::Rect area(0, 0, grey.cols, grey.rows);
    if (region.width > 0 && region.height > 0) {
        area &= cv::Rect(region.x, region.y, region.width, region.height);
        if (area.empty()) return CVS_OK;
    }
    cv::Mat view = grey(area);
    const bool shrinking = shrink > 1.0;
    if (shrinking) {
        cv::Mat small;
        const int w = std::max(1, int(std::lround(area.width / shrink)));
        const int h = std::max(1, int(std::lround(area.height / shrink)));
        cv::resize(view, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        view = small;
    }
    const double sx = double(area.width) / view.cols, sy = double(area.height) / view.rows;
    auto scaled = [&](int32_t v, double s) { return v > 0 ? std::max(1, int(std::floor(v / s))) : 0; };
    auto scaled_up = [&](int32_t v, double s) { return v > 0 ? int(std::ceil(v / s)) : 0; };
    std::vector<cv::Rect> found;
    std::vector<int> counts;
    const auto detect = [&](const cv::Range &) {
        detect_multi_scale_banded(cascade->classifier, view, scale_factor, min_neighbors,
                                  cv::Size(scaled(min_width, sx), scaled(min_height, sy)),
                                  cv::Size(scaled_up(max_width, sx), scaled_up(max_height, sy)), found, counts);
    };
    if (view.cols >= 24 && view.rows >= 24) {
        if (area.area() * 4 <= grey.cols * grey.rows) {
            // A small region: detectMultiScale's own parallel loops (one per scale) would cost
            // more in thread hand-offs than they save, and on a loaded machine each hand-off can
            // wait a scheduler slice. Inside a parallel_for_ of one item OpenCV runs the body on
            // this thread and every nested parallel loop serially.
            cv::parallel_for_(cv::Range(0, 1), detect);
        } else {
            detect(cv::Range(0, 1));
        }
    }
    const size_t stored = std::min(found.size(), rects ? capacity : size_t(0));
    for (size_t i = 0; i < stored; ++i) {
        const cv::Rect &r = found[i];
        if (shrinking) {
            const int x0 = int(std::lround(r.x * sx)), y0 = int(std::lround(r.y * sy));
            const int x1 = int(std::lround((r.x + r.width) * sx)), y1 = int(std::lround((r.y + r.height) * sy));
            rects[i] = cvs_rect{area.x + x0, area.y + y0, x1 - x0, y1 - y0};
        } else {
            rects[i] = cvs_rect{area.x + r.x, area.y + r.y, r.width, r.height};
        }
        if (neighbors) neighbors[i] = i < counts.size() ? counts[i] : 0;
    }
    if (count) *count = found.size();
    return CVS_OK;
    CVS_GUARD_END
}

}  // extern "C"
