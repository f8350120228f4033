// display_probe.cpp: whether a window can be opened, checked before Qt gets the chance to abort().

#include "shim_internal.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace cvs {

namespace {

// Debian's OpenCV draws windows with Qt, and Qt abort()s the whole process when it cannot reach
// its display. So before the first window the shim checks, cheaply, that an X server answers on
// $DISPLAY (unless QT_QPA_PLATFORM picks another platform, e.g. offscreen or wayland).
bool connect_with_timeout(int fd, const sockaddr *address, socklen_t length) {
    timeval limit{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    return connect(fd, address, length) == 0;
}

bool unix_socket_answers(const std::string &path, bool abstract) {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const size_t offset = abstract ? 1 : 0;
    if (path.size() + offset >= sizeof address.sun_path) {
        close(fd);
        return false;
    }
    std::memcpy(address.sun_path + offset, path.data(), path.size());
    const socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + offset + path.size() + (abstract ? 0 : 1));
    const bool ok = connect_with_timeout(fd, reinterpret_cast<sockaddr *>(&address), length);
    close(fd);
    return ok;
}

bool tcp_answers(const std::string &host, int port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
    bool ok = false;
    for (addrinfo *a = found; a != nullptr && !ok; a = a->ai_next) {
        const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        ok = connect_with_timeout(fd, a->ai_addr, a->ai_addrlen);
        close(fd);
    }
    freeaddrinfo(found);
    return ok;
}

}  // namespace

// Empty when a window can be opened, otherwise why not.
std::string display_problem() {
    const char *platform = std::getenv("QT_QPA_PLATFORM");
    if (platform != nullptr && *platform != '\0' && std::strncmp(platform, "xcb", 3) != 0) return "";
    const char *display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') return "no display (DISPLAY is not set)";
    const std::string text(display);
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return "DISPLAY '" + text + "' is not a display name";
    const std::string host = text.substr(0, colon);
    const int number = std::atoi(text.c_str() + colon + 1);
    bool answers = false;
    if (host.empty() || host == "unix") {
        const std::string socket_path = "/tmp/.X11-unix/X" + std::to_string(number);
        answers = unix_socket_answers(socket_path, false) || unix_socket_answers(socket_path, true);
    } else if (host[0] == '/') {
        answers = unix_socket_answers(text.substr(0, colon), false);  // XQuartz-style socket path
    } else {
        answers = tcp_answers(host, 6000 + number);
    }
    return answers ? "" : "cannot connect to display '" + text + "'";
}

}  // namespace cvs
