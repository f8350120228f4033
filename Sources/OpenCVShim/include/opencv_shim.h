#ifndef OPENCV_SHIM_H
#define OPENCV_SHIM_H
#ifdef __cplusplus
extern "C" {
#endif
int cvs_version_major(void);
#ifdef __cplusplus
}
#endif
#endif
