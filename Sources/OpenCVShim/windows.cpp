// windows.cpp: windows and keys (highgui, loaded on first use; the display is probed first).

#include "shim_internal.hpp"

using namespace cvs;

extern "C" {

cvs_status cvs_window_create(const char *title, int32_t width, int32_t height, cvs_window **out,
                             cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || title == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no title or output handle");
    }
    const std::string problem = display_problem();
    if (!problem.empty()) return fail(error, CVS_ERROR, problem);
    auto window = std::make_unique<cvs_window>();
    window->name = title;
    const HighGUI &g = gui();
    g.named_window(window->name, kWindowNormal | kWindowKeepRatio | kWindowGuiNormal);
    if (width > 0 && height > 0) g.resize_window(window->name, width, height);
    *out = window.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_window_destroy(cvs_window *window) {
    if (window == nullptr) return;
    try {
        const HighGUI &g = gui();
        g.destroy_window(window->name);
        g.wait_key(1);  // let the GUI process the close
    } catch (...) {
    }
    try {
        delete window;
    } catch (...) {
    }
}

cvs_status cvs_window_show(cvs_window *window, const cvs_image *image, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (window == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no window or empty image");
    }
    gui().imshow(window->name, cv::_InputArray(image->mat));
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_wait_key(int32_t delay_ms, int32_t *key, cvs_error *error) {
    CVS_GUARD_BEGIN
    const int k = gui().wait_key(delay_ms);
    if (key) *key = k;
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_poll_key(int32_t *key, cvs_error *error) {
    CVS_GUARD_BEGIN
    const int k = gui().poll_key();
    if (key) *key = k;
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_window_is_closed(cvs_window *window, int32_t *closed, cvs_error *error) {
    if (closed) *closed = 0;
    if (window == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no window");
    try {
        const double visible = gui().get_window_property(window->name, kWindowPropVisible);
        if (closed) *closed = visible < 1.0 ? 1 : 0;
    } catch (...) {
        // Backends throw "NULL window" for a window the user destroyed: that is a closed window.
        if (closed) *closed = 1;
    }
    return CVS_OK;
}

}  // extern "C"
