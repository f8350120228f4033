// video_network.cpp: the parts of VideoFile that read network URLs (see NetworkOptions in
// video_file.hpp): opening with time limits and FFmpeg options, the interrupt callback that
// bounds every blocking step, the live-or-file hint, and failures in words.

#include "video_file.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/time.h>
}

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace cvs {
namespace {

std::string av_error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    return text;
}

std::string seconds_text(int64_t microseconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(microseconds) / 1e6);
    return text;
}


}  // namespace

// `format` is freed on failure (as avformat_open_input frees it); on success it is format_.
int VideoFile::open_network(AVFormatContext *format, const std::string &path, const NetworkOptions &network,
                            std::string &why) {
    int result = 0;
    timeout_us_ = std::max<int64_t>(network.timeout_us, 100'000);
    format->interrupt_callback.callback = interrupt_callback;
    format->interrupt_callback.opaque = this;
    const AVInputFormat *input = nullptr;
    if (!network.input_format.empty()) {
        input = av_find_input_format(network.input_format.c_str());
        if (input == nullptr) {
            avformat_free_context(format);
            why = "FFmpeg has no input format '" + network.input_format + "'";
            return AVERROR_DEMUXER_NOT_FOUND;
        }
    }
    // The protocols' own socket timeouts too (microseconds), so a stalled connection is
    // also noticed below the demuxer; the interrupt callback bounds everything else.
    AVDictionary *options = nullptr;
    const std::string timeout = std::to_string(timeout_us_);
    av_dict_set(&options, "rw_timeout", timeout.c_str(), 0);
    av_dict_set(&options, "timeout", timeout.c_str(), 0);
    if (path.rfind("http", 0) == 0) av_dict_set(&options, "reconnect", "1", 0);  // resumes a file's download
    for (const auto &[key, value] : network.options) av_dict_set(&options, key.c_str(), value.c_str(), 0);
    arm_deadline();
    if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) {
        bool too_large = false;
        remote_ = RemoteFile::open(path, &options, &format->interrupt_callback, result, too_large);
        if (!remote_) {
            av_dict_free(&options);
            avformat_free_context(format);
            why = too_large ? "a file over " + std::to_string(RemoteFile::kMaxBufferedBytes >> 20) +
                                  " MB from a server that cannot seek (no byte ranges)"
                            : network_failure(result);
            return result;
        }
        format->pb = remote_->context();
        format->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    result = avformat_open_input(&format, path.c_str(), input, &options);
    std::string unused;
    for (const auto &[key, value] : network.options) {
        if (av_dict_get(options, key.c_str(), nullptr, 0) != nullptr) unused += (unused.empty() ? "" : ", ") + key;
    }
    av_dict_free(&options);
    if (result < 0) {
        why = network_failure(result);
        return result;
    }
    format_ = format;
    if (!unused.empty()) {
        why = "FFmpeg did not use the option(s) " + unused + " for this URL";
        return AVERROR(EINVAL);
    }
    arm_deadline();
    result = avformat_find_stream_info(format, nullptr);
    deadline_.store(0);
    if (result < 0) why = network_failure(result);
    return result;
}

int VideoFile::interrupt_callback(void *opaque) {
    VideoFile *file = static_cast<VideoFile *>(opaque);
    if (file->interrupted_.load()) return 1;
    const int64_t deadline = file->deadline_.load();
    if (deadline > 0 && av_gettime_relative() > deadline) {
        file->timed_out_.store(true);
        return 1;
    }
    return 0;
}

void VideoFile::arm_deadline() {
    if (network_) deadline_.store(av_gettime_relative() + timeout_us_);
}

// Why a network open or read failed, in words: the time limit, a stop, or FFmpeg's reason.
std::string VideoFile::network_failure(int code) const {
    if (timed_out_.load()) return "no answer within " + seconds_text(timeout_us_) + " s";
    if (interrupted_.load()) return "stopped";
    // FFmpeg's log line says more ("Connection to tcp://host:port failed: Connection refused");
    // the error code names the kind of failure, when the line does not already.
    const std::string text = av_error_text(code);
    if (first_log_.empty()) return text;
    if (first_log_.find(text) != std::string::npos) return first_log_;
    return text + " (" + first_log_ + ")";
}

bool VideoFile::looks_live() const {
    if (!network_) return false;
    const bool has_duration = format_->duration != AV_NOPTS_VALUE && format_->duration > 0;
    if (std::strcmp(format_->iformat->name, "hls") == 0) return !has_duration;
    const bool seekable = format_->pb != nullptr && (format_->pb->seekable & AVIO_SEEKABLE_NORMAL) != 0;
    return !has_duration || !seekable;
}

}  // namespace cvs
