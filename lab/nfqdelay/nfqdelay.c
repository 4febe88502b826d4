/* nfqdelay: the WAN lab's delay element, for kernels without sch_netem.
 *
 * Holds every packet of two NFQUEUE queues (base = upload, base+1 = download) for a delay plus a
 * random jitter, then accepts it. Each queue is one FIFO and a packet's due time is
 *     due = max(due of the packet before it, now + delay + uniform(-jitter, +jitter))
 * so packets leave in the order they came (no reordering, as on a real link); under load the
 * jitter is absorbed by the packets ahead (a burst keeps its spacing) and the mean delay
 * grows towards delay + jitter.
 *
 * Use (inside a router namespace, lab.sh does this):
 *     iptables-nft -A FORWARD -i lan -j NFQUEUE --queue-num 0 --queue-bypass
 *     iptables-nft -A FORWARD -i wan -j NFQUEUE --queue-num 1 --queue-bypass
 *     nfqdelay -q 0 -d 20 -j 2       (20 ms +-2 ms each way: RTT + 40 ms)
 * --queue-bypass lets traffic pass undelayed while no nfqdelay listens (between restarts).
 * A full queue (-n packets) drops the new packet: a tail drop, like a router's buffer.
 * SIGTERM/SIGINT: accept everything still held, print counters, exit 0.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -o nfqdelay nfqdelay.c -lnetfilter_queue -lnfnetlink */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

enum { n_queues = 2 };                          /* upload, download */
static const uint32_t default_cap_pkts = 20000; /* ~30 MB of full-size packets per direction */
static const int rcvbuf_bytes = 32 << 20;       /* netlink socket: bursts at 100 Mbit/s fit */

struct held { uint32_t id; uint64_t due_ns; };

struct fifo {
  struct nfq_q_handle *qh;
  struct held *ring;
  uint32_t cap, head, count;
  uint64_t last_due_ns;
  unsigned long long in, dropped;
};

static struct fifo fifos[n_queues];
static uint64_t delay_ns, jitter_ns;
static uint64_t rng_state;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* xorshift64*: enough for jitter, seeded per process */
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t due_for(struct fifo *f, uint64_t now) {
  int64_t d = (int64_t)delay_ns;
  if (jitter_ns) d += (int64_t)(rng() % (2 * jitter_ns + 1)) - (int64_t)jitter_ns;
  uint64_t due = now + (uint64_t)(d < 0 ? 0 : d);
  if (due < f->last_due_ns) due = f->last_due_ns; /* FIFO: never before the packet ahead */
  f->last_due_ns = due;
  return due;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *m, struct nfq_data *nfa, void *data) {
  (void)m;
  struct fifo *f = data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  uint32_t id = ntohl(ph->packet_id);
  f->in++;
  if (f->count == f->cap) {
    f->dropped++;
    return nfq_set_verdict(q, id, NF_DROP, 0, NULL);
  }
  f->ring[(f->head + f->count) % f->cap] = (struct held){id, due_for(f, now_ns())};
  f->count++;
  return 0;
}

/* Accept every packet whose time has come. Ids grow and release is in FIFO order, so one batch
 * verdict for the last due id accepts all of them. */
static void release_due(struct fifo *f, uint64_t now) {
  uint32_t last = 0;
  int any = 0;
  while (f->count && f->ring[f->head].due_ns <= now) {
    last = f->ring[f->head].id;
    any = 1;
    f->head = (f->head + 1) % f->cap;
    f->count--;
  }
  if (any) nfq_set_verdict_batch(f->qh, last, NF_ACCEPT);
}

static void release_all(struct fifo *f) {
  if (!f->count) return;
  nfq_set_verdict_batch(f->qh, f->ring[(f->head + f->count - 1) % f->cap].id, NF_ACCEPT);
  f->count = 0;
}

static void on_signal(int s) {
  (void)s;
  stop = 1;
}

static void usage(const char *argv0) {
  fprintf(stderr, "usage: %s [-q base_queue] [-d delay_ms] [-j jitter_ms] [-n max_pkts] [-s seed]\n", argv0);
}

int main(int argc, char **argv) {
  int base = 0, opt;
  double delay_ms = 20, jitter_ms = 0;
  uint32_t cap = default_cap_pkts;
  rng_state = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ now_ns();
  while ((opt = getopt(argc, argv, "q:d:j:n:s:")) != -1) {
    switch (opt) {
      case 'q': base = atoi(optarg); break;
      case 'd': delay_ms = atof(optarg); break;
      case 'j': jitter_ms = atof(optarg); break;
      case 'n': cap = (uint32_t)strtoul(optarg, NULL, 10); break;
      case 's': rng_state = strtoull(optarg, NULL, 10) | 1; break;
      default: usage(argv[0]); return 2;
    }
  }
  if (delay_ms < 0 || jitter_ms < 0 || cap == 0 || optind != argc) {
    usage(argv[0]);
    return 2;
  }
  delay_ns = (uint64_t)(delay_ms * 1e6);
  jitter_ns = (uint64_t)(jitter_ms * 1e6);

  struct nfq_handle *h = nfq_open();
  if (!h) {
    perror("nfq_open");
    return 1;
  }
  for (int i = 0; i < n_queues; i++) {
    struct fifo *f = &fifos[i];
    f->cap = cap;
    f->ring = calloc(cap, sizeof *f->ring);
    f->qh = nfq_create_queue(h, (uint16_t)(base + i), on_packet, f);
    if (!f->ring || !f->qh) {
      fprintf(stderr, "nfqdelay: queue %d: %s (queue taken? CAP_NET_ADMIN?)\n", base + i, strerror(errno));
      return 1;
    }
    if (nfq_set_mode(f->qh, NFQNL_COPY_META, 0) < 0) {
      perror("nfq_set_mode");
      return 1;
    }
    nfq_set_queue_maxlen(f->qh, cap);
    /* GSO packets stay whole: the kernel need not segment them for us */
    nfq_set_queue_flags(f->qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
  }
  nfnl_rcvbufsiz(nfq_nfnlh(h), rcvbuf_bytes);
  int fd = nfq_fd(h), one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  fprintf(stderr, "nfqdelay: queues %d,%d delay %.3f ms jitter +-%.3f ms, max %u packets each\n", base, base + 1,
          delay_ms, jitter_ms, cap);

  static char buf[1 << 16];
  while (!stop) {
    uint64_t t = now_ns(), next = UINT64_MAX;
    for (int i = 0; i < n_queues; i++)
      if (fifos[i].count && fifos[i].ring[fifos[i].head].due_ns < next) next = fifos[i].ring[fifos[i].head].due_ns;
    struct timespec ts, *tsp = NULL;
    if (next != UINT64_MAX) {
      uint64_t w = next > t ? next - t : 0;
      ts = (struct timespec){(time_t)(w / 1000000000ULL), (long)(w % 1000000000ULL)};
      tsp = &ts;
    }
    struct pollfd p = {fd, POLLIN, 0};
    int r = ppoll(&p, 1, tsp, NULL);
    if (r < 0 && errno != EINTR) {
      perror("ppoll");
      break;
    }
    if (r > 0) {
      for (int i = 0; i < 512; i++) { /* drain what is queued now, then release */
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        nfq_handle_packet(h, buf, (int)n);
      }
    }
    t = now_ns();
    for (int i = 0; i < n_queues; i++) release_due(&fifos[i], t);
  }
  for (int i = 0; i < n_queues; i++) {
    release_all(&fifos[i]);
    fprintf(stderr, "nfqdelay: queue %d: packets=%llu dropped(full)=%llu\n", base + i, fifos[i].in,
            fifos[i].dropped);
    nfq_destroy_queue(fifos[i].qh);
  }
  nfq_close(h);
  return 0;
}
