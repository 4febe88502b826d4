// SIGHUP on the real binary: the config file is re-read and its live options apply while peers
// stay connected; options that need a restart keep their value and the log says so; a bad file
// changes nothing and the server keeps serving; the TLS pair reloads with the configuration.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_cert.hpp"
#include "support/tls_client.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

const std::string want_any = R"({"type":"want","id":3,"hash":")" + std::string(64, '0') + R"("})";

// A new peer's welcome until its limits say `messages_per_s` is `rate` (a safety net of ~10 s, not
// a timing check: the reload runs on the server's io thread after the signal).
template <class Client>
bool new_peers_see_rate(std::uint16_t port, int rate) {
  for (int i = 0; i < 500; ++i) {
    Client c(port);
    if (c.welcome().at("limits").at("messages_per_s").template to_number<int>() == rate)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TEST(Reload, SighupAppliesLiveOptionsWithPeersConnectedAndKeepsTheOthers) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir conf;
  auto log = conf.path() / "stderr.log";
  auto file =
      conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nmessages-per-s = 200\n");
  child_server server(CIRCLECDN_BIN, site.path(), {"--config", file.string()}, log);
  ws_client before(server.port);
  EXPECT_EQ(before.welcome().at("limits").at("messages_per_s"), 200);

  conf.write("circlecdn.toml",
             "[serve]\nlisten = \"127.0.0.1:1\"\nmessages-per-s = 50\n"
             "stun = [\"stun:198.51.100.1:3478\"]\npiece-size = 4096\n");
  ::kill(server.pid, SIGHUP);
  ASSERT_TRUE(new_peers_see_rate<ws_client>(server.port, 50));
  ws_client after(server.port);
  EXPECT_EQ(after.welcome().at("ice_servers").as_array().size(), 1u);
  EXPECT_TRUE(wait_for_text(log, "event=reload changed=\"messages-per-s: 200 -> 50\""));
  EXPECT_TRUE(wait_for_text(log, "needs_restart=\"listen: 127.0.0.1:"));
  EXPECT_TRUE(wait_for_text(log, "needs_restart=\"piece-size: 262144 -> 4096"));
  // Still listening where it was, with the pieces it had; the peer from before is still served.
  EXPECT_EQ(get(server.port, "/a.txt").body(), "a");
  before.send(want_any);
  EXPECT_EQ(before.read()["id"], 3);
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

TEST(Reload, SighupWithABadFileChangesNothingAndKeepsServing) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir conf;
  auto log = conf.path() / "stderr.log";
  auto file =
      conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nmessages-per-s = 60\n");
  child_server server(CIRCLECDN_BIN, site.path(), {"--config", file.string()}, log);
  ws_client peer(server.port);

  conf.write("circlecdn.toml", "[serve]\nmessages-per-s = -5\nuploads-per-holder = 2\n");
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(
      log, "event=reload_refused what=config error=\"--messages-per-s: expected 1..1000000"));
  conf.write("circlecdn.toml", "[serve]\nmesages-per-s = 10\n");
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(log, "unknown key serve.mesages-per-s"));
  std::filesystem::remove(file);
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(log, "--config: cannot read"));
  // A burst of signals: the process handles each and never dies of one.
  for (int i = 0; i < 20; ++i) ::kill(server.pid, SIGHUP);
  EXPECT_EQ(get(server.port, "/a.txt").body(), "a");
  EXPECT_EQ(ws_client(server.port).welcome().at("limits").at("messages_per_s"),
            60);  // nothing changed
  peer.send(want_any);
  EXPECT_EQ(peer.read()["id"], 3);
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

// One SIGHUP: the new certificate for new handshakes and the new limits for new peers, while a
// WSS peer from before stays connected and served.
TEST(Reload, SighupReloadsConfigAndCertificateWithWssPeersConnected) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir certs;
  auto a = make_test_cert(certs.path(), "a");
  auto b = make_test_cert(certs.path(), "b");
  auto live_cert = certs.path() / "live.crt", live_key = certs.path() / "live.key";
  std::filesystem::copy_file(a.cert_file, live_cert);
  std::filesystem::copy_file(a.key_file, live_key);
  auto file = certs.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\ntls-cert = \"" +
                                                live_cert.string() + "\"\ntls-key = \"" +
                                                live_key.string() + "\"\nmessages-per-s = 200\n");
  auto log = certs.path() / "stderr.log";
  child_server server(CIRCLECDN_BIN, site.path(), {"--config", file.string()}, log);
  wss_client before(server.port);
  EXPECT_EQ(before.fingerprint(), a.fingerprint);

  auto opts = std::filesystem::copy_options::overwrite_existing;
  std::filesystem::copy_file(b.cert_file, live_cert, opts);
  std::filesystem::copy_file(b.key_file, live_key, opts);
  certs.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\ntls-cert = \"" +
                                    live_cert.string() + "\"\ntls-key = \"" + live_key.string() +
                                    "\"\nmessages-per-s = 75\n");
  ::kill(server.pid, SIGHUP);
  ASSERT_TRUE(new_peers_see_rate<wss_client>(server.port, 75));
  EXPECT_EQ(wss_client(server.port).fingerprint(), b.fingerprint);
  EXPECT_TRUE(wait_for_text(log, "event=reload what=tls certificate_sha256=" + b.fingerprint));
  before.send(want_any);
  EXPECT_EQ(before.read()["id"], 3);
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

TEST(Reload, SighupReopensTheAccessLogForRotation) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir conf;
  auto access = conf.path() / "access.log";
  auto file = conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\naccess-log = \"" +
                                               access.string() + "\"\n");
  child_server server(CIRCLECDN_BIN, site.path(), {"--config", file.string()});
  get(server.port, "/a.txt?before");
  ASSERT_TRUE(wait_for_text(access, "/a.txt?before"));
  std::filesystem::rename(access, conf.path() / "access.log.1");
  ::kill(server.pid, SIGHUP);
  // Requests until one lands in the new file (the reopen follows the signal).
  bool reopened = false;
  for (int i = 0; i < 500 && !reopened; ++i) {
    get(server.port, "/a.txt?after");
    reopened = read_text(access).find("/a.txt?after") != std::string::npos;
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reopened);
  EXPECT_EQ(read_text(access).find("/a.txt?before"), std::string::npos);
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

// A SIGHUP that arrives while the first scan of the site still runs (before the reload handler
// exists) is ignored, not fatal: systemd may reload a service that is still starting. The site is
// large enough (64 MiB to hash) that the signal lands during the scan.
TEST(Reload, SighupDuringTheFirstScanDoesNotEndTheProcess) {
  temp_dir site;
  for (int i = 0; i < 8; ++i)
    site.write("big" + std::to_string(i) + ".bin", std::string(8 << 20, 'x'));
  int out = -1;
  pid_t pid = spawn_binary(
      CIRCLECDN_BIN,
      {"serve", site.path().string(), "--listen", "127.0.0.1:0", "--log-level", "warn"}, &out, -1);
  // From main() on SIGHUP is ignored until the handler exists (before main, during exec and the
  // sanitizer's start, nothing can catch it): wait for the kernel to show it ignored, then send.
  auto ignores_sighup = [pid] {
    std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status"));
    for (std::string l; std::getline(in, l);)
      if (l.starts_with("SigIgn:")) return (std::stoull(l.substr(7), nullptr, 16) & 1u) != 0;
    return false;
  };
  bool ignored = false;
  for (int i = 0; i < 1000 && !(ignored = ignores_sighup()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(ignored);
  ::kill(pid, SIGHUP);
  FILE* stdout_of = ::fdopen(out, "r");
  char line[256] = {};
  bool listening = std::fgets(line, sizeof line, stdout_of) != nullptr;
  EXPECT_TRUE(listening);  // it got to listen
  if (listening) {
    std::string first = line;
    auto port = static_cast<std::uint16_t>(std::stoi(first.substr(first.rfind(':') + 1)));
    EXPECT_EQ(get(port, "/big0.bin").body().size(), 8u << 20);
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::fclose(stdout_of);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The kill switch from the config file: SIGHUP turns the served worker into the one that
// unregisters itself, and back, without a restart (docs/operations.md, --service-worker).
TEST(Reload, SighupFlipsTheServiceWorkerKillSwitch) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir conf;
  auto log = conf.path() / "stderr.log";
  auto file = conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\n");
  child_server server(CIRCLECDN_BIN, site.path(), {"--config", file.string()}, log);
  auto mode = [&] {
    return std::string(get(server.port, "/.circlecdn/sw.js")["CircleCDN-Service-Worker"]);
  };
  EXPECT_EQ(mode(), "on");
  auto on_body = get(server.port, "/.circlecdn/sw.js").body();

  conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nservice-worker = \"off\"\n");
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(log, "event=reload changed=\"service-worker: on -> off\""));
  EXPECT_EQ(mode(), "off");
  EXPECT_NE(get(server.port, "/.circlecdn/sw.js").body(), on_body);

  conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\nservice-worker = \"maybe\"\n");
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(log, "--service-worker: expected on|off"));
  EXPECT_EQ(mode(), "off");  // a bad value changes nothing

  conf.write("circlecdn.toml", "[serve]\nlisten = \"127.0.0.1:0\"\n");
  ::kill(server.pid, SIGHUP);
  EXPECT_TRUE(wait_for_text(log, "event=reload changed=\"service-worker: off -> on\""));
  EXPECT_EQ(mode(), "on");
  EXPECT_EQ(get(server.port, "/.circlecdn/sw.js").body(), on_body);
  EXPECT_EQ(server.terminate_and_wait(), 0);
}
