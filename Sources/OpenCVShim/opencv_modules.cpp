// opencv_modules.cpp: highgui, videoio and imgcodecs, loaded with dlopen the first time they are
// needed.

#include "shim_internal.hpp"

#include <dlfcn.h>

#include <string>

namespace cvs {

// highgui (and Qt behind it on Debian: ~40 more shared libraries, tens of MB resident),
// videoio and imgcodecs are not linked: each is loaded with dlopen the first time it is needed.
// Functions are looked up by their C++ names (the Itanium ABI of the libstdc++ build OpenCV
// uses, std::__cxx11::string); a build that links a module anyway gets the same library back.

namespace {

// libopencv_<module> of the OpenCV version the shim was compiled against; null and `problem`
// set when it cannot be loaded.
void *load_opencv_module(const char *module, std::string &problem) {
    const std::string base = std::string("libopencv_") + module + ".so";
    const std::string version = std::to_string(CV_VERSION_MAJOR) + std::to_string(CV_VERSION_MINOR);
    const std::string dotted = std::to_string(CV_VERSION_MAJOR) + "." + std::to_string(CV_VERSION_MINOR);
    std::string tried;
    for (const std::string &name : {base + "." + version, base + "." + dotted, base}) {
        if (void *library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return library;
        const char *why = dlerror();
        if (tried.empty() && why != nullptr) tried = why;
    }
    problem = std::string("OpenCV's ") + module + " library could not be loaded (" + tried + ")";
    return nullptr;
}

template <typename F>
void bind(void *library, const char *module, const char *symbol, F &function, std::string &problem) {
    function = reinterpret_cast<F>(dlsym(library, symbol));
    if (function == nullptr && problem.empty()) problem = std::string("libopencv_") + module + " has no " + symbol;
}

}  // namespace

const HighGUI &highgui() {
    static const HighGUI gui = [] {
        HighGUI g;
        void *library = load_opencv_module("highgui", g.problem);
        if (library == nullptr) return g;
        const char *m = "highgui";
        bind(library, m, "_ZN2cv11namedWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", g.named_window, g.problem);
        bind(library, m, "_ZN2cv12resizeWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEii", g.resize_window, g.problem);
        bind(library, m, "_ZN2cv13destroyWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE", g.destroy_window, g.problem);
        bind(library, m, "_ZN2cv6imshowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayE", g.imshow, g.problem);
        bind(library, m, "_ZN2cv7waitKeyEi", g.wait_key, g.problem);
        bind(library, m, "_ZN2cv7pollKeyEv", g.poll_key, g.problem);
        bind(library, m, "_ZN2cv17getWindowPropertyERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", g.get_window_property, g.problem);
        return g;
    }();
    return gui;
}

// The loaded highgui, or an exception saying why there is none.
const HighGUI &gui() {
    const HighGUI &g = highgui();
    if (!g.problem.empty()) throw std::runtime_error(g.problem);
    return g;
}

const VideoIO &videoio() {
    static const VideoIO io = [] {
        VideoIO v;
        void *library = load_opencv_module("videoio", v.problem);
        if (library == nullptr) return v;
        bind(library, "videoio", "_ZN2cv12VideoCaptureC1Ev", v.capture_constructor, v.problem);
        bind(library, "videoio", "_ZN2cv11VideoWriterC1Ev", v.writer_constructor, v.problem);
        return v;
    }();
    if (!io.problem.empty()) throw std::runtime_error(io.problem);
    return io;
}

const ImgCodecs &imgcodecs() {
    static const ImgCodecs codecs = [] {
        ImgCodecs c;
        void *library = load_opencv_module("imgcodecs", c.problem);
        if (library == nullptr) return c;
        bind(library, "imgcodecs", "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", c.imread, c.problem);
        bind(library, "imgcodecs",
             "_ZN2cv7imwriteERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERKSt6vectorIiSaIiEE",
             c.imwrite, c.problem);
        bind(library, "imgcodecs", "_ZN2cv8imdecodeERKNS_11_InputArrayEi", c.imdecode, c.problem);
        return c;
    }();
    if (!codecs.problem.empty()) throw std::runtime_error(codecs.problem);
    return codecs;
}

}  // namespace cvs
