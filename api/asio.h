#ifndef SLAD_API_ASIO_H_
#define SLAD_API_ASIO_H_

// Standalone Asio (Debian's libasio-dev), with SSL. Included through here
// so that every daemon file agrees on the configuration; ASIO_STANDALONE
// is also defined by the build.

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#include <asio.hpp>
#include <asio/ssl.hpp>

#endif  // SLAD_API_ASIO_H_
