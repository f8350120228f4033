#include "chdf5_guard.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

/* The message for the read in progress; read by the signal handler only. */
static const char *volatile chdf5_fault_message_;

static void chdf5_guard_on_fault_(int signo) {
    const char *message = chdf5_fault_message_;
    (void)signo;
    if (message) {
        size_t length = strlen(message);
        while (length > 0) {
            ssize_t written = write(STDERR_FILENO, message, length);
            if (written <= 0) break;
            message += written;
            length -= (size_t)written;
        }
    }
    _exit(1);
}

static size_t chdf5_address_space_in_use_(void) {
    unsigned long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm) return 0;
    if (fscanf(statm, "%lu", &pages) != 1) pages = 0;
    fclose(statm);
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

typedef herr_t (*chdf5_read_fn)(hid_t object, hid_t memory_type, void *buffer);

static herr_t chdf5_dataset_read_all_(hid_t dataset, hid_t memory_type, void *buffer) {
    return H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}

static herr_t chdf5_guarded_read_(chdf5_read_fn read, hid_t object, hid_t memory_type, void *buffer,
                                  size_t budget, unsigned seconds, const char *fault_message) {
    struct sigaction action, old_segv, old_bus, old_abrt, old_alrm;
    struct itimerval watchdog, old_timer;
    struct rlimit old_limit;
    int limited = 0;
    herr_t status;
    memset(&action, 0, sizeof action);
    action.sa_handler = chdf5_guard_on_fault_;
    sigemptyset(&action.sa_mask);
    chdf5_fault_message_ = fault_message;
    sigaction(SIGSEGV, &action, &old_segv);
    sigaction(SIGBUS, &action, &old_bus);
    sigaction(SIGABRT, &action, &old_abrt);
    /* A corrupt heap index can also send the library into an endless loop (seen: H5HG_read
     * spinning in its cache): a read still running after `seconds` is ended the same way. */
    sigaction(SIGALRM, &action, &old_alrm);
    memset(&watchdog, 0, sizeof watchdog);
    watchdog.it_value.tv_sec = seconds;
    setitimer(ITIMER_REAL, &watchdog, &old_timer);
    if (budget > 0 && getrlimit(RLIMIT_AS, &old_limit) == 0) {
        size_t in_use = chdf5_address_space_in_use_();
        if (in_use > 0 && (old_limit.rlim_cur == RLIM_INFINITY || in_use + budget < old_limit.rlim_cur)) {
            struct rlimit capped = old_limit;
            capped.rlim_cur = in_use + budget;
            limited = setrlimit(RLIMIT_AS, &capped) == 0;
        }
    }
    status = read(object, memory_type, buffer);
    setitimer(ITIMER_REAL, &old_timer, NULL);
    if (limited) setrlimit(RLIMIT_AS, &old_limit);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    sigaction(SIGABRT, &old_abrt, NULL);
    sigaction(SIGALRM, &old_alrm, NULL);
    chdf5_fault_message_ = NULL;
    return status;
}

herr_t chdf5_guarded_attribute_read(hid_t attribute, hid_t memory_type, void *buffer, size_t budget,
                                    unsigned seconds, const char *fault_message) {
    return chdf5_guarded_read_(H5Aread, attribute, memory_type, buffer, budget, seconds, fault_message);
}

herr_t chdf5_guarded_dataset_read(hid_t dataset, hid_t memory_type, void *buffer, size_t budget,
                                  unsigned seconds, const char *fault_message) {
    return chdf5_guarded_read_(chdf5_dataset_read_all_, dataset, memory_type, buffer, budget, seconds,
                               fault_message);
}
