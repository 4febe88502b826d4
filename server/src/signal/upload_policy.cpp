#include "signal/upload_policy.hpp"

namespace circlecdn::signal {

std::string upload_policy_member(const upload_policy& p) {
  return std::string(R"("uploads":{"gpc":")") + (p.honor_gpc ? "honor" : "ignore") +
         R"(","budget_bytes":)" + std::to_string(p.budget_bytes) + R"(,"when_hidden":")" +
         (p.pause_hidden ? "pause" : "continue") + "\"}";
}

}  // namespace circlecdn::signal
