// video_file.cpp: video files decoded with libavformat, libavcodec and libswscale directly.
//
// Why not cv::VideoCapture: libopencv_videoio has libopencv_imgcodecs as a dependency, and that
// one GDAL, GDCM, poppler, PROJ and ~100 more libraries (about 30 MB resident in every run that
// maps them), none of which a video needs; and OpenCV gives the decoder one thread per core,
// each holding frames of its own. See video_file.hpp for what is the same and what is not.

#include "video_file.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace cvs {
namespace {

// One decoder thread. Frame threading keeps a frame in flight per thread, each with its own copy
// of the decoder's state, and OpenCV starts one per core; but the pipeline already decodes on a
// thread of its own, and one decoder thread outruns it many times over (854x480 H.264: ~800
// frames/s, 1920x1080: ~100, against the pipeline's ~37 and ~17 on two cores). Measured: the
// same run time as two threads, 3 MB less at 854x480 and 10 MB less at 1920x1080.
constexpr int kDecoderThreads = 1;

// Rows per band of a grey frame's conversion (even: 4:2:0 chroma rows cover two): 16 rows of
// 1920 pixels are 92 KB of BGR, which stays in cache between swscale and cv::cvtColor.
constexpr int kBandRows = 16;

// Bytes in a row of swscale's BGR output: as long as av_frame_get_buffer(frame, 32) makes rows,
// as OpenCV's are. swscale's x86 code converts whole blocks of 8 pixels and leaves a row's last
// ones unwritten when the row is too short for the block that holds them.
size_t bgr_row_bytes(int width) {
    size_t step = 0;
    for (int multiple = 1; multiple <= 32; multiple *= 2) {
        step = size_t(FFALIGN(width, multiple)) * 3;
        if (step % 32 == 0) break;
    }
    return step;
}
// Demuxer errors in a row before the file is taken to have no more readable data.
constexpr int kReadErrorLimit = 16;

std::string av_error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    return text;
}

double rational(AVRational r) { return r.num == 0 || r.den == 0 ? 0.0 : double(r.num) / double(r.den); }

// The VideoFile whose open or read is running on this thread, if any.
thread_local VideoFile *working = nullptr;

struct Working {
    explicit Working(VideoFile *file) : previous(working) { working = file; }
    ~Working() { working = previous; }
    VideoFile *previous;
};

// FFmpeg logs to stderr by default; emotion-live reports problems itself, in one line. Messages
// about a VideoFile go to it: those logged on its own contexts (the decoder's frame threads
// work on copies of its context, `opaque` included) and any logged on a thread while it opens
// or reads (the demuxer's parser has a context of its own). The rest (OpenCV's writer and
// camera, when loaded) keep FFmpeg's default handling.
void log_callback(void *object, int level, const char *format, va_list arguments) {
    VideoFile *owner = working;
    if (object != nullptr && owner == nullptr) {
        const AVClass *type = *static_cast<const AVClass *const *>(object);
        if (type == avcodec_get_class() && static_cast<AVCodecContext *>(object)->opaque != nullptr) {
            owner = static_cast<VideoFile *>(static_cast<AVCodecContext *>(object)->opaque);
        } else if (type == avformat_get_class() && static_cast<AVFormatContext *>(object)->opaque != nullptr) {
            owner = static_cast<VideoFile *>(static_cast<AVFormatContext *>(object)->opaque);
        }
    }
    if (owner == nullptr) {
        av_log_default_callback(object, level, format, arguments);
        return;
    }
    if (level > AV_LOG_ERROR) return;
    char line[256];
    std::vsnprintf(line, sizeof line, format, arguments);
    owner->note_log(line);
}

void install_log_callback() {
    static std::once_flag once;
    std::call_once(once, [] {
        av_log_set_callback(log_callback);
        avformat_network_init();  // TLS and sockets for URLs; a no-op the second time
    });
}


// Clockwise degrees to turn the picture so it shows as ffmpeg and players show it: the display
// matrix's angle (counterclockwise) negated. OpenCV 4.6 turns 90 and 270 the other way.
int stream_rotation(const AVStream *stream) {
    const uint8_t *matrix = nullptr;
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *side = av_packet_side_data_get(
        stream->codecpar->coded_side_data, stream->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    if (side != nullptr && side->size >= 9 * sizeof(int32_t)) matrix = side->data;
#else
    size_t size = 0;
    matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (size < 9 * sizeof(int32_t)) matrix = nullptr;
#endif
    if (matrix == nullptr) return 0;
    double degrees = -av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix));
    if (std::isnan(degrees)) return 0;
    if (degrees < 0) degrees += 360;
    const int angle = int(degrees) % 360;
    return angle == 90 || angle == 180 || angle == 270 ? angle : 0;
}

}  // namespace

std::unique_ptr<VideoFile> VideoFile::open(const std::string &path, cvs_status &status,
                                           std::string &message, const NetworkOptions *network,
                                           const std::string &name) {
    install_log_callback();
    std::unique_ptr<VideoFile> file(new VideoFile());
    file->path_ = network != nullptr && !name.empty() ? name : path;
    file->network_ = network != nullptr;
    Working working_on(file.get());
    status = CVS_NOT_FOUND;
    auto failed = [&](const std::string &why) -> std::unique_ptr<VideoFile> {
        message = file->path_ + ": " + why;
        if (!file->first_log_.empty() && why.find(file->first_log_) == std::string::npos) {
            message += " (" + file->first_log_ + ")";
        }
        return nullptr;
    };

    AVFormatContext *format = avformat_alloc_context();
    if (format == nullptr) return status = CVS_ERROR, failed("out of memory");
    format->opaque = file.get();
    int result = 0;
    if (network == nullptr) {
        result = avformat_open_input(&format, path.c_str(), nullptr, nullptr);
        if (result < 0) return failed("not a video");  // avformat_open_input freed `format`
        file->format_ = format;
        result = avformat_find_stream_info(format, nullptr);
        if (result < 0) return failed("not a video");
    } else {
        std::string why;
        result = file->open_network(format, path, *network, why);
        if (result < 0) return status = file->timed_out_ ? CVS_TIMEOUT : CVS_ERROR, failed(why);
        format = file->format_;
    }
    if (network != nullptr) status = CVS_NOT_FOUND;
    const AVCodec *decoder = nullptr;
    const int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (stream < 0) return failed(stream == AVERROR_DECODER_NOT_FOUND ? "no decoder for its video" : "not a video");
    AVStream *video = format->streams[stream];
    file->stream_ = stream;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        if (int(i) != stream) format->streams[i]->discard = AVDISCARD_ALL;  // audio, subtitles
    }

    status = CVS_ERROR;
    AVCodecContext *codec = avcodec_alloc_context3(decoder);
    if (codec == nullptr) return failed("out of memory");
    file->codec_ = codec;
    codec->opaque = file.get();
    if ((result = avcodec_parameters_to_context(codec, video->codecpar)) < 0) {
        return failed("unusable codec parameters: " + av_error_text(result));
    }
    codec->pkt_timebase = video->time_base;
    codec->thread_count = kDecoderThreads;
    if ((result = avcodec_open2(codec, decoder, nullptr)) < 0) {
        return failed(std::string("cannot open its ") + decoder->name + " decoder: " + av_error_text(result));
    }
    file->frame_ = av_frame_alloc();
    file->packet_ = av_packet_alloc();
    if (file->frame_ == nullptr || file->packet_ == nullptr) return failed("out of memory");

    // OpenCV's CAP_PROP_FPS and CAP_PROP_FRAME_COUNT: the average rate (else the nominal one,
    // else the codec's time base), and the container's frame count or duration x fps.
    file->fps_ = rational(video->avg_frame_rate);
    if (file->fps_ < 1e-6) file->fps_ = rational(video->r_frame_rate);
    if (file->fps_ < 1e-6 && rational(codec->time_base) > 0) file->fps_ = 1.0 / rational(codec->time_base);
    file->declared_packets_ = video->nb_frames > 0 ? video->nb_frames : 0;
    file->frame_count_ = file->declared_packets_;
    if (file->frame_count_ == 0) {
        double seconds = double(format->duration) / AV_TIME_BASE;
        if (seconds < 1e-6) seconds = double(video->duration) * rational(video->time_base);
        file->frame_count_ = int64_t(std::floor(seconds * file->fps_ + 0.5));
    }
    file->time_base_ = rational(video->time_base);
    file->start_time_ = video->start_time != AV_NOPTS_VALUE ? video->start_time : 0;
    file->rotation_ = stream_rotation(video);
    if (codec->width <= 0 || codec->height <= 0) return failed("its video has no picture size");
    status = CVS_OK;
    return file;
}

VideoFile::~VideoFile() {
    sws_freeContext(scaler_);
    sws_freeContext(band_scaler_);
    sws_freeContext(last_band_scaler_);
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    avcodec_free_context(&codec_);
    avformat_close_input(&format_);
    remote_.reset();  // after the demuxer: it was its I/O
}

int VideoFile::width() const { return rotation_ % 180 ? codec_->height : codec_->width; }
int VideoFile::height() const { return rotation_ % 180 ? codec_->width : codec_->height; }

void VideoFile::note_log(const char *line) {
    std::lock_guard<std::mutex> lock(problems_mutex_);
    if (!first_log_.empty()) return;
    first_log_ = line;
    while (!first_log_.empty() && std::strchr("\n .", first_log_.back()) != nullptr) first_log_.pop_back();
}

void VideoFile::note_problem(bool truncated, const std::string &what) {
    std::lock_guard<std::mutex> lock(problems_mutex_);
    if (problems_++ == 0) {
        first_problem_after_ = delivered_ - 1;
        first_problem_ = what;
    }
    truncated_ = truncated_ || truncated;
}

// "PATH: truncated: the data ends after frame 224 (225 of 472 frames read; FFmpeg's words)" or
// "PATH: corrupt: data that does not decode after frame 199, 5 times (467 of 472 frames read; ...)".
// A truncated file's frames end where its data does; a corrupt one's problem is placed by the
// frames delivered when it surfaced (the decoder holds a few frames, so it is approximate).
std::string VideoFile::problem_message() const {
    std::string text = path_;
    if (truncated_) {
        text += delivered_ > 0 ? ": truncated: the data ends after frame " + std::to_string(delivered_ - 1)
                               : std::string(": truncated: the data ends before the first frame");
    } else {
        text += ": corrupt: data that does not decode after frame " + std::to_string(std::max<int64_t>(first_problem_after_, 0));
        if (problems_ > 1) text += ", " + std::to_string(problems_) + " times";
    }
    text += " (" + std::to_string(delivered_);
    if (frame_count_ > 0) text += " of " + std::to_string(frame_count_);
    text += " frames read";
    const std::string detail = !first_log_.empty() ? first_log_ : first_problem_;
    if (!detail.empty()) text += "; " + detail;
    return text + ")";
}

cvs_status VideoFile::read(cv::Mat &bgr, double &milliseconds, std::string &message) {
    Working working_on(this);
    if (finished_) {
        message = "no more frames";
        return CVS_END;
    }
    int decode_errors = 0;
    for (;;) {
        const int received = avcodec_receive_frame(codec_, frame_);
        if (received >= 0) {
            if (frame_->decode_error_flags != 0 || (frame_->flags & AV_FRAME_FLAG_CORRUPT)) {
                note_problem(false, "a frame decoded with errors");
            }
            const cvs_status converted = grey_ ? convert_grey(bgr) : convert(bgr);
            int64_t stamp = frame_->best_effort_timestamp;
            if (stamp == AV_NOPTS_VALUE) stamp = frame_->pts;
            if (stamp == AV_NOPTS_VALUE) stamp = frame_->pkt_dts;
            milliseconds = stamp == AV_NOPTS_VALUE ? 0.0 : double(stamp - start_time_) * time_base_ * 1000.0;
            av_frame_unref(frame_);
            if (converted != CVS_OK) {
                message = path_ + ": frame " + std::to_string(delivered_) + " could not be converted to BGR";
                return converted;
            }
            ++delivered_;
            return CVS_OK;
        }
        if (received == AVERROR_EOF) {
            // The container lists more packets than the file holds: cut short.
            if (declared_packets_ > 0 && packets_ < declared_packets_) note_problem(true, "the file ends early");
            return ending(message);
        }
        if (received != AVERROR(EAGAIN)) {
            // A decoding error surfaced here (frame threads report them late): the frame is lost,
            // the next ones may decode.
            note_problem(false, av_error_text(received));
            if (++decode_errors > 64) return ending(message);
            continue;
        }
        if (draining_) return ending(message);  // not expected once the decoder was sent the end
        arm_deadline();
        const int got = av_read_frame(format_, packet_);
        deadline_.store(0);
        if (got == AVERROR(EAGAIN)) continue;
        if (got < 0 && network_ && got != AVERROR_EOF) {
            // A network stream that stalls, is stopped or drops: said at once (the caller decides
            // whether to reconnect); the frames the decoder holds are not worth the wait.
            finished_ = true;
            if (interrupted_.load()) {
                message = "stopped";
                return CVS_END;
            }
            message = path_ + ": " + network_failure(got);
            return timed_out_.load() ? CVS_TIMEOUT : CVS_ERROR;
        }
        if (got < 0) {
            if (got != AVERROR_EOF) {
                const bool at_end = format_->pb != nullptr && avio_feof(format_->pb);
                if (!at_end && ++read_errors_ < kReadErrorLimit) continue;  // the demuxer may resync
                note_problem(true, av_error_text(got));
            }
            avcodec_send_packet(codec_, nullptr);  // the frames it still holds come out next
            draining_ = true;
            continue;
        }
        read_errors_ = 0;
        if (packet_->stream_index != stream_) {
            av_packet_unref(packet_);
            continue;
        }
        ++packets_;
        if (packet_->flags & AV_PKT_FLAG_CORRUPT) note_problem(true, "a packet cut short");
        const int sent = avcodec_send_packet(codec_, packet_);
        av_packet_unref(packet_);
        if (sent < 0 && sent != AVERROR(EAGAIN) && sent != AVERROR_EOF) note_problem(false, av_error_text(sent));
    }
}

// The end: CVS_END, or CVS_CORRUPT and what went wrong.
cvs_status VideoFile::ending(std::string &message) {
    finished_ = true;
    std::lock_guard<std::mutex> lock(problems_mutex_);
    if (problems_ == 0) {
        message = "no more frames";
        return CVS_END;
    }
    message = problem_message();
    return CVS_CORRUPT;
}

// BGR24 at the coded size with SWS_BICUBIC, then the displayed size cut out of it: what OpenCV
// does (its swscale context works on the coded size, and swscale's code paths, so its exact
// output, depend on the width). The buffer is reused from frame to frame while the caller
// keeps no other reference to it.
cvs_status VideoFile::convert(cv::Mat &bgr) {
    const int coded_width = std::max(codec_->coded_width, frame_->width);
    const int coded_height = std::max(codec_->coded_height, frame_->height);
    scaler_ = sws_getCachedContext(scaler_, coded_width, coded_height, AVPixelFormat(frame_->format),
                                   coded_width, coded_height, AV_PIX_FMT_BGR24, SWS_BICUBIC,
                                   nullptr, nullptr, nullptr);
    if (scaler_ == nullptr) return CVS_ERROR;
    const size_t step = bgr_row_bytes(coded_width);
    // Reused only when no frame handed out still holds it (the count drops on other threads).
    const bool shared = coded_.u != nullptr && __atomic_load_n(&coded_.u->refcount, __ATOMIC_ACQUIRE) > 1;
    if (coded_.rows != coded_height || coded_.step[0] != step || coded_.u == nullptr || shared) {
        coded_.release();
        coded_ = cv::Mat(cv::Size(int(step), coded_height + 1), CV_8UC1)
                     .colRange(0, coded_width * 3)
                     .rowRange(0, coded_height)
                     .reshape(3);
    }
    uint8_t *planes[4] = {coded_.data, nullptr, nullptr, nullptr};
    int strides[4] = {int(coded_.step[0]), 0, 0, 0};
    sws_scale(scaler_, frame_->data, frame_->linesize, 0, coded_height, planes, strides);
    show(coded_, bgr);
    return CVS_OK;
}

// The displayed part of a picture at the coded size, turned as the display matrix says.
void VideoFile::show(const cv::Mat &coded, cv::Mat &shown) const {
    const cv::Mat picture = coded(cv::Rect(0, 0, frame_->width, frame_->height));
    switch (rotation_) {
    case 90: cv::rotate(picture, shown, cv::ROTATE_90_CLOCKWISE); break;
    case 180: cv::rotate(picture, shown, cv::ROTATE_180); break;
    case 270: cv::rotate(picture, shown, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: shown = picture; break;
    }
}

// Grey frames without a frame of BGR (at 1920x1080, 6.2 MB less per frame): the coded picture
// is converted in bands of rows, each band to BGR exactly as `convert` converts the whole picture
// and at once to grey. For 4:2:0 pictures swscale's same-size YUV to BGR conversion works on each
// pair of rows alone (its chroma row is the pair's), and cv::cvtColor on each pixel alone, so
// bands that start on even rows give the very bytes of the whole-frame route. Other pixel formats
// take that route: BGR, then grey.
cvs_status VideoFile::convert_grey(cv::Mat &grey) {
    const AVPixelFormat format = AVPixelFormat(frame_->format);
    const int coded_width = std::max(codec_->coded_width, frame_->width);
    const int coded_height = std::max(codec_->coded_height, frame_->height);
    if ((format != AV_PIX_FMT_YUV420P && format != AV_PIX_FMT_YUVJ420P) || coded_height % 2 != 0) {
        cv::Mat bgr;
        const cvs_status status = convert(bgr);
        if (status != CVS_OK) return status;
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
        return CVS_OK;
    }
    cv::Mat coded(coded_height, coded_width, CV_8UC1);
    for (int y = 0; y < coded_height; y += kBandRows) {
        const int rows = std::min(kBandRows, coded_height - y);
        cv::Mat rows_out = coded.rowRange(y, y + rows);
        const cvs_status status = convert_band(y, rows, rows_out);
        if (status != CVS_OK) return status;
    }
    show(coded, grey);
    return CVS_OK;
}

// Rows y..<y + rows (y and rows even) of the coded 4:2:0 picture to BGR in `band_` (laid out as
// `convert` lays out its whole picture), then to grey in `grey_rows`.
cvs_status VideoFile::convert_band(int y, int rows, cv::Mat &grey_rows) {
    const int coded_width = grey_rows.cols;
    SwsContext *&scaler = rows == kBandRows ? band_scaler_ : last_band_scaler_;
    scaler = sws_getCachedContext(scaler, coded_width, rows, AVPixelFormat(frame_->format), coded_width, rows,
                                  AV_PIX_FMT_BGR24, SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (scaler == nullptr) return CVS_ERROR;
    const size_t step = bgr_row_bytes(coded_width);
    if (band_.cols != int(step) || band_.rows != kBandRows + 1) band_.create(kBandRows + 1, int(step), CV_8UC1);
    const uint8_t *source[4] = {frame_->data[0] + ptrdiff_t(y) * frame_->linesize[0],
                                frame_->data[1] + ptrdiff_t(y / 2) * frame_->linesize[1],
                                frame_->data[2] + ptrdiff_t(y / 2) * frame_->linesize[2], nullptr};
    uint8_t *planes[4] = {band_.data, nullptr, nullptr, nullptr};
    int strides[4] = {int(step), 0, 0, 0};
    sws_scale(scaler, source, frame_->linesize, 0, rows, planes, strides);
    const cv::Mat bgr = band_.rowRange(0, rows).colRange(0, coded_width * 3).reshape(3);
    cv::cvtColor(bgr, grey_rows, cv::COLOR_BGR2GRAY);
    return CVS_OK;
}

}  // namespace cvs
