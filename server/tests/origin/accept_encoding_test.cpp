// Accept-Encoding with q-values: what each header gets.
#include "origin/accept_encoding.hpp"

#include <gtest/gtest.h>

namespace circlecdn::origin {
namespace {

TEST(accept_encoding, choices) {
  struct c {
    const char* header;
    content_coding want;
  };
  for (const auto& [header, want] : {
           c{"", content_coding::identity},
           c{"gzip, deflate, br", content_coding::br},  // what browsers send
           c{"gzip, deflate", content_coding::gzip},
           c{"br;q=0.5, gzip", content_coding::gzip},
           c{"gzip;q=0.5, br;q=0.9", content_coding::br},
           c{"BR", content_coding::br},
           c{"x-gzip", content_coding::gzip},
           c{"br;q=0, gzip;q=0", content_coding::identity},  // refused both
           c{"br;q=0", content_coding::identity},
           c{"*", content_coding::br},
           c{"*;q=0", content_coding::identity},
           c{"*, br;q=0", content_coding::gzip},
           c{"gzip;q=0, *", content_coding::br},
           c{"identity", content_coding::identity},
           c{"identity;q=1, gzip;q=0.5", content_coding::identity},
           c{"gzip;q=1.0, identity;q=0.5", content_coding::gzip},
           c{"gzip;q=0.001", content_coding::gzip},
           c{"gzip;q=2", content_coding::identity},  // malformed q: the member is ignored
           c{"gzip;q=0.0001", content_coding::identity},
           c{"gzip;level=9", content_coding::identity},
           c{"deflate, compress", content_coding::identity},
           c{" gzip ; q=0.8 ,br ; q=0.7", content_coding::gzip},
       })
    EXPECT_EQ(choose_coding(header), want) << header;
}

}  // namespace
}  // namespace circlecdn::origin
