#include "cli/upload_options.hpp"

namespace circlecdn::cli {

void upload_options::add(CLI::App& serve, signal::upload_policy& policy) {
  serve
      .add_option("--gpc", gpc_,
                  "honor: a visitor whose browser sends Global Privacy Control uploads nothing; "
                  "ignore: it uploads like the others (e.g. with consent collected by the site)")
      ->check(CLI::IsMember({"honor", "ignore"}))
      ->capture_default_str();
  serve
      .add_option("--upload-budget", policy.budget_bytes,
                  "bytes one page session uploads at most, then it stops offering its content "
                  "(0 = no budget)")
      ->capture_default_str();
  serve
      .add_option("--hidden-uploads", hidden_,
                  "pause: a tab the visitor does not look at stops uploading; continue: it goes on")
      ->check(CLI::IsMember({"pause", "continue"}))
      ->capture_default_str();
}

void upload_options::finish(signal::upload_policy& policy) const {
  policy.honor_gpc = gpc_ == "honor";
  policy.pause_hidden = hidden_ == "pause";
}

}  // namespace circlecdn::cli
