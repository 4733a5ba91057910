/*
 * nettest.c — the socket system calls seen from user space (bsd/kern/uipc_syscalls.c over the
 * kernel's TCP/IP and AF_UNIX): a TCP transfer of 256 KiB over the loopback between a forked
 * client and the parent (socket, setsockopt SO_REUSEADDR, bind, listen, getsockname, accept4,
 * connect, write/read, send/recv, shutdown, getpeername), UDP datagrams with sendto/recvfrom
 * and sendmsg/recvmsg, an AF_UNIX socketpair across fork, and the error answers (ECONNREFUSED,
 * EADDRINUSE, ENOTSOCK, EBADF, EFAULT, EAFNOSUPPORT, EAGAIN on a non-blocking socket).
 * Exits 0 when every check held; otherwise prints the first that failed and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("nettest: line %d: %s (errno %d)\n", __LINE__, #cond, errno);    \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

#define TOTAL (256 * 1024)

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 13 + (i >> 11));
}

static struct sockaddr_in
loopback(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void
tcp_client(uint16_t port)
{
	static unsigned char buf[TOTAL];
	struct sockaddr_in sin = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	size_t off = 0;

	CHECK(s >= 0);
	CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	CHECK(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	for (size_t i = 0; i < TOTAL; i++)
		buf[i] = pattern(i);
	while (off < TOTAL) {
		ssize_t n = write(s, buf + off, TOTAL - off < 10000 ? TOTAL - off : 10000);

		CHECK(n > 0);
		off += (size_t)n;
	}
	CHECK(shutdown(s, SHUT_WR) == 0);
	/* The server answers with the count it got, then closes. */
	char reply[32] = { 0 };
	CHECK(recv(s, reply, sizeof(reply) - 1, MSG_WAITALL) > 0);
	CHECK(atoi(reply) == TOTAL);
	CHECK(close(s) == 0);
	_exit(0);
}

static void
test_tcp(void)
{
	static unsigned char buf[65536];
	struct sockaddr_in sin = loopback(0), peer;
	socklen_t len = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1, c, status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	CHECK(l >= 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	sin.sin_port = htons(7777);
	CHECK(bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(listen(l, 4) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sin, &len) == 0 && len == sizeof(sin) &&
	      ntohs(sin.sin_port) == 7777 && sin.sin_family == AF_INET);
	{
		int l2 = socket(AF_INET, SOCK_STREAM, 0);

		CHECK(bind(l2, (struct sockaddr *)&sin, sizeof(sin)) == -1 && errno == EADDRINUSE);
		close(l2);
	}
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		tcp_client(7777);
	len = sizeof(peer);
	c = accept4(l, (struct sockaddr *)&peer, &len, 0);
	CHECK(c >= 0 && len == sizeof(peer) && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == pattern(got + (size_t)i));
		got += (size_t)n;
	}
	CHECK(n == 0 && got == TOTAL);
	len = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0);
	{
		struct stat st;

		CHECK(fstat(c, &st) == 0 && S_ISSOCK(st.st_mode));
	}
	{
		char reply[32];
		int rl = snprintf(reply, sizeof(reply), "%zu", got);

		CHECK(send(c, reply, (size_t)rl, 0) == rl);
	}
	CHECK(close(c) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	CHECK(close(l) == 0);
	printf("nettest: tcp: %d bytes over the loopback\n", TOTAL);
}

static void
test_udp(void)
{
	struct sockaddr_in a = loopback(7778), from;
	socklen_t len = sizeof(from);
	int s = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	struct iovec iov[2] = { { "hello ", 6 }, { "datagram", 8 } };
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = iov,
			     .msg_iovlen = 2 };

	CHECK(s >= 0 && t >= 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(sendto(t, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)) == 4);
	CHECK(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 4 &&
	      memcmp(buf, "ping", 4) == 0 && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(sendmsg(t, &mh, 0) == 14);
	memset(buf, 0, sizeof(buf));
	struct iovec riov = { buf, sizeof(buf) };
	struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &riov,
			     .msg_iovlen = 1 };
	CHECK(recvmsg(s, &rh, 0) == 14 && memcmp(buf, "hello datagram", 14) == 0);
	/* Non-blocking and empty: EAGAIN. */
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 &&
	      (errno == EAGAIN || errno == EWOULDBLOCK));
	close(s);
	close(t);
	printf("nettest: udp: sendto/recvfrom and sendmsg/recvmsg\n");
}

static void
test_unix_pair(void)
{
	int sv[2], status;
	char buf[16];
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		CHECK(write(sv[1], "from child", 10) == 10);
		_exit(0);
	}
	close(sv[1]);
	CHECK(read(sv[0], buf, sizeof(buf)) == 10 && memcmp(buf, "from child", 10) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	CHECK(read(sv[0], buf, sizeof(buf)) == 0); /* the child's end is closed */
	close(sv[0]);
	printf("nettest: unix: socketpair across fork\n");
}

static void
test_errors(void)
{
	struct sockaddr_in sin = loopback(7779);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 && errno == ECONNREFUSED);
	close(s);
	CHECK(socket(12345, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT);
	CHECK(listen(1, 1) == -1 && errno == ENOTSOCK); /* stdout */
	CHECK(listen(999, 1) == -1 && errno == EBADF);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(bind(s, (struct sockaddr *)8, sizeof(sin)) == -1 && errno == EFAULT);
	CHECK(sendto(s, (void *)8, 4, 0, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	      errno == EFAULT);
	close(s);
	printf("nettest: errors: ECONNREFUSED, EAFNOSUPPORT, ENOTSOCK, EBADF, EFAULT\n");
}

int
main(void)
{
	test_tcp();
	test_udp();
	test_unix_pair();
	test_errors();
	return 0;
}
