// video_file.hpp: video files decoded with FFmpeg's libraries directly (video_file.cpp).
// Internal to the shim; Swift sees only opencv_shim.h.
#ifndef OPENCV_SHIM_VIDEO_FILE_HPP
#define OPENCV_SHIM_VIDEO_FILE_HPP

#include "opencv_shim.h"
#include "remote_file.hpp"

#include <opencv2/core.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct AVCodecContext;
struct AVFormatContext;
struct AVFrame;
struct AVPacket;
struct SwsContext;

namespace cvs {

/// One video stream of a file: frames in decoding order, BGR, with the container's times.
///
/// The frames are those OpenCV's FFmpeg backend (cv::VideoCapture with CAP_FFMPEG) gives:
/// swscale converts at the decoder's coded size with SWS_BICUBIC (bit for bit the same BGR on
/// every shared clip), and fps and frame count follow OpenCV's rules. What differs: the decoder
/// runs on the reading thread alone (OpenCV gives it one thread per core, each holding frames);
/// times come from
/// each frame's own timestamp (OpenCV reports 0 for the frames drained at the end); a picture
/// whose display matrix turns it by 90 or 270 degrees is turned as ffmpeg and players show it
/// (OpenCV 4.6 turns it the other way; 180 is the same); and a file whose data ends early or
/// does not decode is told apart from a clean end (`CVS_CORRUPT`, once, after every frame that
/// did decode).
/// How a network URL is opened. Every blocking step (connecting, probing, each packet read)
/// is bounded by `timeout_us` through FFmpeg's interrupt callback, whatever the protocol does
/// with its own timeout options, so a host that never answers ends in an error, never a hang.
struct NetworkOptions {
    int64_t timeout_us = 10'000'000;
    std::string input_format;                                  // a demuxer's name, or empty: probe
    std::vector<std::pair<std::string, std::string>> options;  // FFmpeg's, e.g. rtsp_transport=tcp
};

class VideoFile {
public:
    /// Null on failure, with `status` (CVS_NOT_FOUND: not a video; CVS_TIMEOUT; CVS_ERROR) and
    /// `message`. With `network`, `path` is a URL and messages name `name` instead (the URL
    /// without its credentials).
    static std::unique_ptr<VideoFile> open(const std::string &path, cvs_status &status,
                                           std::string &message, const NetworkOptions *network = nullptr,
                                           const std::string &name = std::string());

    /// Makes a blocked open or read on another thread return soon (CVS_END). Thread-safe.
    void interrupt() { interrupted_.store(true); }

    /// A network input that looks live: FFmpeg knows no duration, or it cannot seek (an HLS
    /// playlist with a duration excepted: that is a finished recording).
    bool looks_live() const;
    ~VideoFile();
    VideoFile(const VideoFile &) = delete;
    VideoFile &operator=(const VideoFile &) = delete;

    /// From the next frame on, `read` gives grey frames (one channel), bit for bit what
    /// converting its BGR frame with cv::cvtColor gives, without a frame of BGR in memory.
    void set_grey(bool grey) { grey_ = grey; }

    /// The next frame into `bgr` (its buffer is reused when the size fits) and its time.
    /// CVS_END at the end of a sound file; CVS_CORRUPT (once, then CVS_END) at the end of one
    /// that was truncated or held data that did not decode, with `message` saying what and
    /// after how many frames; CVS_ERROR for anything else.
    cvs_status read(cv::Mat &bgr, double &milliseconds, std::string &message);

    int width() const;   // after rotation
    int height() const;
    double fps() const { return fps_; }
    int64_t frame_count() const { return frame_count_; }

    /// FFmpeg's error-level log lines about this file's demuxer or decoder (their threads
    /// included) arrive here: the first one describes the problem in the final message.
    void note_log(const char *line);

private:
    VideoFile() = default;
    cvs_status convert(cv::Mat &bgr);
    cvs_status convert_grey(cv::Mat &grey);
    cvs_status convert_band(int y, int rows, cv::Mat &grey_rows);
    void show(const cv::Mat &coded, cv::Mat &shown) const;
    void note_problem(bool truncated, const std::string &what);
    cvs_status ending(std::string &message);
    std::string problem_message() const;  // with problems_mutex_ held

    int open_network(AVFormatContext *format, const std::string &path, const NetworkOptions &network,
                     std::string &why);  // video_network.cpp
    static int interrupt_callback(void *opaque);
    void arm_deadline();
    std::string network_failure(int code) const;

    std::string path_;      // for messages: the file's path, or the URL without credentials
    bool network_ = false;
    int64_t timeout_us_ = 0;
    std::atomic<bool> interrupted_{false};
    std::atomic<bool> timed_out_{false};
    std::atomic<int64_t> deadline_{0};  // av_gettime_relative() after which I/O gives up; 0: none
    std::unique_ptr<RemoteFile> remote_;  // an http(s) URL's connection (the demuxer's custom I/O)
    AVFormatContext *format_ = nullptr;
    AVCodecContext *codec_ = nullptr;
    AVFrame *frame_ = nullptr;
    AVPacket *packet_ = nullptr;
    SwsContext *scaler_ = nullptr;
    int stream_ = -1;
    int64_t start_time_ = 0;
    double time_base_ = 0;
    double fps_ = 0;
    int64_t frame_count_ = 0;
    int64_t declared_packets_ = 0;  // the container's count of the stream's packets, 0 if unknown
    int rotation_ = 0;              // clockwise degrees to turn the picture: 0, 90, 180, 270
    cv::Mat coded_;                 // swscale's output at the coded size, before rotation
    bool grey_ = false;             // deliver grey frames (set_grey)
    SwsContext *band_scaler_ = nullptr;   // grey frames: swscale for a band of rows
    SwsContext *last_band_scaler_ = nullptr;  // and for the shorter last band
    cv::Mat band_;                  // grey frames: one band of BGR rows

    int64_t packets_ = 0;    // the stream's packets read
    int64_t delivered_ = 0;  // frames returned
    int read_errors_ = 0;    // consecutive demuxer errors
    bool draining_ = false;  // no more packets: the decoder is giving back what it holds
    bool finished_ = false;

    // Problems, reported once at the end. The log callback runs on decoder threads too.
    std::mutex problems_mutex_;
    int problems_ = 0;
    bool truncated_ = false;
    int64_t first_problem_after_ = -1;  // the last frame delivered before the first problem
    std::string first_problem_;
    std::string first_log_;
};

}  // namespace cvs

#endif
