// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * memwatch - runs a command and reports the memory around it (static,
 * musl), for ci/debian_boot.sh --measure in a kdump capture boot:
 *
 *   memwatch COMMAND [ARG...]
 *
 * prints one line on stdout after COMMAND exits:
 *
 *   memwatch: total=KiB avail_before=KiB free_before=KiB avail_min=KiB
 *             free_min=KiB maxrss=KiB rc=N ms=N
 *
 * total, avail and free are MemTotal, MemAvailable and MemFree of
 * /proc/meminfo (before the command, and the lowest seen while it ran,
 * sampled every millisecond); maxrss is the command's peak resident set
 * (wait4's ru_maxrss); rc its exit status (128+N: killed by signal N).
 * COMMAND's own output goes to /dev/null.  Exit codes: 0 done, 1 the
 * command could not be run, 2 usage.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long field(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* MemTotal, MemAvailable, MemFree in KiB (-1 if unknown). */
static void meminfo(long *total, long *avail, long *freek)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		*total = *avail = *freek = -1;
		return;
	}
	buf[n] = '\0';
	*total = field(buf, "MemTotal:");
	*avail = field(buf, "MemAvailable:");
	*freek = field(buf, "MemFree:");
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	long total, avail0, free0, avail, freek, amin, fmin;
	struct timespec t0, tick = { 0, 1000000 };
	struct rusage ru;
	int status, rc;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: memwatch COMMAND [ARG...]\n", stderr);
		return 2;
	}
	meminfo(&total, &avail0, &free0);
	amin = avail0;
	fmin = free0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("memwatch: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[1], argv + 1);
		_exit(127);
	}
	for (;;) {
		pid_t got = wait4(pid, &status, WNOHANG, &ru);

		if (got == pid)
			break;
		if (got < 0) {
			perror("memwatch: wait4");
			return 1;
		}
		meminfo(&total, &avail, &freek);
		if (avail >= 0 && avail < amin)
			amin = avail;
		if (freek >= 0 && freek < fmin)
			fmin = freek;
		nanosleep(&tick, NULL);
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("memwatch: total=%ld avail_before=%ld free_before=%ld avail_min=%ld free_min=%ld "
	       "maxrss=%ld rc=%d ms=%ld\n", total, avail0, free0, amin, fmin, ru.ru_maxrss, rc,
	       ms_since(&t0));
	return rc == 127 ? 1 : 0;
}
