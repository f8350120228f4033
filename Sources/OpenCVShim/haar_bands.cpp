// haar_bands.cpp: the banded Haar search: detectMultiScale over bands of pyramid levels, with the
// boxes of one call.

#include "shim_internal.hpp"

#include <cstdint>

namespace cvs {

// The pyramid levels detectMultiScale searches, as it chooses them (factors 1, s, s^2...; a
// window below min_size skipped, the first above max_size or the image ending the list):
// each level's window and the height of its integral images.
namespace {

struct PyramidLevel {
    cv::Size window;
    int rows;
};

std::vector<PyramidLevel> pyramid_levels(cv::Size original, cv::Size image, double scale_factor,
                                         cv::Size min_size, cv::Size max_size) {
    if (max_size.width == 0 || max_size.height == 0) max_size = image;
    std::vector<PyramidLevel> levels;
    for (double factor = 1;; factor *= scale_factor) {
        const cv::Size window(cvRound(original.width * factor), cvRound(original.height * factor));
        if (window.width > max_size.width || window.height > max_size.height || window.width > image.width ||
            window.height > image.height) {
            break;
        }
        if (window.width < min_size.width || window.height < min_size.height) continue;
        levels.push_back({window, cvRound(image.height / float(factor)) + 1});
    }
    return levels;
}

// Pictures whose largest searched level has fewer pixels than this are searched in one call:
// their integral images are small, and each call costs a fixed setup.
constexpr int kBandedSearchMinPixels = 64 * 1024;

}  // namespace

// detectMultiScale (with numDetections) in several calls, each over a band of consecutive
// pyramid levels, with the candidates of all bands grouped once at the end. The boxes and
// counts are those of one call: a level's windows are scored on its own integral images
// whichever call computes them, candidates are neither clipped nor grouped per band (the
// classifier's `cc` is called, not the clipping wrapper), and groupRectangles then sees the
// same candidates. What changes is memory: one call lays the integral images of all its levels
// out in one buffer, which the classifier keeps at the largest size it ever needed: 10.4 MB for
// a 1920x1080 frame searched for faces of 45 px and up, 3.7 MB when no band's levels are taller
// together than the largest level. The result is checked against one call in FaceDetectorTests.
void detect_multi_scale_banded(cv::CascadeClassifier &classifier, const cv::Mat &view, double scale_factor,
                               int min_neighbors, cv::Size min_size, cv::Size max_size,
                               std::vector<cv::Rect> &found, std::vector<int> &counts) {
    const std::vector<PyramidLevel> levels =
        pyramid_levels(classifier.getOriginalWindowSize(), view.size(), scale_factor, min_size, max_size);
    const bool small = levels.empty() ||
                       int64_t(levels[0].rows) * (levels[0].rows * view.cols / view.rows) < kBandedSearchMinPixels;
    if (classifier.isOldFormatCascade() || levels.size() < 2 || small) {
        classifier.detectMultiScale(view, found, counts, scale_factor, min_neighbors, 0, min_size, max_size);
        return;
    }
    found.clear();
    counts.clear();
    std::vector<cv::Rect> band;
    std::vector<int> unused;
    for (size_t first = 0; first < levels.size();) {
        size_t last = first;
        int rows = levels[first].rows;
        while (last + 1 < levels.size() && rows + levels[last + 1].rows <= levels[0].rows) rows += levels[++last].rows;
        // A band's levels are named by their windows' sizes: two levels with the same window
        // (a scale factor close to 1) must fall in the same band.
        while (last + 1 < levels.size() && levels[last + 1].window == levels[last].window) ++last;
        classifier.cc->detectMultiScale(view, band, unused, scale_factor, 0, 0, levels[first].window,
                                        levels[last].window);
        found.insert(found.end(), band.begin(), band.end());
        first = last + 1;
    }
    cv::groupRectangles(found, counts, min_neighbors, 0.2);  // detectMultiScale's GROUP_EPS
    // What the wrapper's clipObjects does: boxes cut to the picture, empty ones dropped.
    const cv::Rect picture(0, 0, view.cols, view.rows);
    size_t kept = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        const cv::Rect r = found[i] & picture;
        if (r.area() <= 0) continue;
        found[kept] = r;
        counts[kept] = counts[i];
        ++kept;
    }
    found.resize(kept);
    counts.resize(kept);
}

}  // namespace cvs
