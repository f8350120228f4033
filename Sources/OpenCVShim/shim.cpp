#include "opencv_shim.h"
#include <opencv2/core.hpp>
extern "C" int cvs_version_major(void) { return CV_VERSION_MAJOR; }
