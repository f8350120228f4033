// shim.cpp: emotion-live's OpenCV shim. C++ inside, the plain C API of opencv_shim.h outside.
//
// Every extern "C" function catches every exception (cv::Exception, std::bad_alloc, anything)
// and turns it into a status code plus a message: nothing C++ ever reaches Swift.
//
// Only core, imgproc and objdetect are linked. Video files are read with FFmpeg directly
// (video_file.cpp); highgui (windows), videoio (cameras, the annotated-video writer) and
// imgcodecs (still images) are loaded with dlopen the first time they are needed, so a headless
// run on a video never maps them or the ~200 libraries behind them.
//
// One file per concern, along opencv_shim.h's sections: images.cpp, preprocessing.cpp,
// capture.cpp (with video_file.cpp, video_network.cpp and remote_file.cpp for FFmpeg),
// cascade.cpp and haar_bands.cpp, drawing.cpp, windows.cpp with display_probe.cpp,
// video_writer.cpp; opencv_modules.cpp loads highgui, videoio and imgcodecs; shim_internal.hpp
// holds what they share. This file has the version.

#include "shim_internal.hpp"

extern "C" {

int cvs_version_major(void) { return CV_VERSION_MAJOR; }
int cvs_version_minor(void) { return CV_VERSION_MINOR; }

}  // extern "C"
