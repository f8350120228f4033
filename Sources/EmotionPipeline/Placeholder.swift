import OpenCVShim
