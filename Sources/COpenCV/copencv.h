/* Intentionally empty: see module.modulemap. The C API lives in OpenCVShim. */
