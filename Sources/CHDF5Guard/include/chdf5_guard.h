/* Guarded libhdf5 reads: a model file is untrusted input.
 *
 * libhdf5 trusts lengths and indices stored in a file's global heap: a corrupt file can make
 * H5Aread fault (seen with 1.10.8: a heap object length of 2^38, an index past the collection,
 * an object running past its collection, which also overwrites the C heap) or allocate
 * whatever size the file claims (2^31 bytes for one string). These functions run a read
 *   - under an address-space cap of the current size plus `budget` bytes, so an absurd
 *     allocation fails inside the library (an ordinary error return) instead of succeeding;
 *   - with a watchdog of `seconds` (SIGALRM): a corrupt heap index can also make the library
 *     loop forever (seen with 1.10.8: H5HG_read spinning in its cache);
 *   - with SIGSEGV, SIGBUS, SIGABRT and that SIGALRM caught. After such a fault neither libhdf5's state nor
 *     the C heap can be trusted, and any malloc may abort, so the guard writes
 *     `fault_message` (prepared by the caller before the read) to stderr with write(2) and
 *     ends the process with _exit(1): the one-line error and exit status of any other bad file.
 * Reads happen while a model loads, before inference threads exist; the cap is process-wide
 * for the duration of the read. */
#ifndef CHDF5_GUARD_H
#define CHDF5_GUARD_H
#include <hdf5.h>
#include <stddef.h>

herr_t chdf5_guarded_attribute_read(hid_t attribute, hid_t memory_type, void *buffer, size_t budget,
                                    unsigned seconds, const char *fault_message);
herr_t chdf5_guarded_dataset_read(hid_t dataset, hid_t memory_type, void *buffer, size_t budget,
                                  unsigned seconds, const char *fault_message);
#endif
