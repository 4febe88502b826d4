// Debian 12 ships Boost.JSON and Boost.URL header-only: this is the one translation unit that
// compiles their sources for the whole build (targets link Boost::json / Boost::url).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
