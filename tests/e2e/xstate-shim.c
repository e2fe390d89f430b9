/*
 * xstate-shim.c -- LD_PRELOAD library for Debian's linux.uml (6.1um) on a
 * host CPU whose XSAVE area is bigger than UML 6.1 assumes (AVX-512 and AMX
 * here: the host's NT_X86_XSTATE regset is about 11 KB, UML uses 832 bytes).
 *
 * Without it UML boots, mounts its root, and panics as soon as init runs:
 *     userspace - ptrace set fp regs failed, errno = 14
 *     Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
 * UML saves and restores each guest process's FPU state with
 *     ptrace(PTRACE_GETREGSET / PTRACE_SETREGSET, pid, NT_X86_XSTATE, iov)
 * and a short iov. The host accepts a short GETREGSET (it truncates), but its
 * SETREGSET for NT_X86_XSTATE fails with EFAULT unless iov_len is the full
 * regset size.
 *
 * What this does: only those two requests, and only when UML's buffer is
 * smaller than the host's regset, go through a full-size "shadow" buffer.
 * UML keeps one FPU buffer per guest task, so the buffer address names the
 * task; the shadow keyed by it keeps the state beyond UML's 832 bytes for
 * that task, so nothing above 832 bytes leaks between guest processes.
 *   GET: read the full regset into the shadow, hand UML its prefix.
 *   SET: copy UML's prefix over the shadow, write the full regset.
 * Every other ptrace call goes straight to libc. On a CPU whose regset fits
 * UML's buffer the shim passes everything through unchanged.
 *
 * Built by tests/e2e/uml-run into build/e2e/xstate-shim.so:
 *     cc -O2 -Wall -shared -fPIC -o xstate-shim.so xstate-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#define GETREGSET 0x4204 /* PTRACE_GETREGSET */
#define SETREGSET 0x4205 /* PTRACE_SETREGSET */

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

static ptrace_fn libc_ptrace;
static size_t host_size; /* size of the host's NT_X86_XSTATE regset, 0 = unknown */

/* open-addressing table: UML buffer address -> full-size shadow */
#define TABLE_SIZE 8192u
struct shadow {
	const void *owner;
	unsigned char *buf;
};
static struct shadow table[TABLE_SIZE];

static void resolve(void)
{
	if (!libc_ptrace)
		libc_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
}

__attribute__((constructor)) static void shim_ctor(void)
{
	resolve();
}

/* Returns the shadow of OWNER; *created tells whether it is new. NULL when
 * the table is full or memory is short (the caller then uses a temporary). */
static unsigned char *lookup(const void *owner, int *created)
{
	uint64_t h = ((uint64_t)(uintptr_t)owner >> 4) * 0x9E3779B97F4A7C15ull;

	*created = 0;
	for (unsigned n = 0; n < TABLE_SIZE; n++) {
		struct shadow *s = &table[(h + n) % TABLE_SIZE];

		if (s->owner == owner)
			return s->buf;
		if (s->owner == NULL) {
			s->buf = calloc(1, host_size);
			if (!s->buf)
				return NULL;
			s->owner = owner;
			*created = 1;
			return s->buf;
		}
	}
	return NULL;
}

static int probe_host_size(pid_t pid)
{
	size_t cap = 64 * 1024;
	unsigned char *tmp;
	struct iovec iov;
	long r;

	if (host_size)
		return 0;
	tmp = malloc(cap);
	if (!tmp)
		return -1;
	iov.iov_base = tmp;
	iov.iov_len = cap;
	r = libc_ptrace(GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
	if (r == 0)
		host_size = iov.iov_len; /* the kernel shortens iov_len to the regset size */
	free(tmp);
	return r == 0 ? 0 : -1;
}

long ptrace(enum __ptrace_request request, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;
	struct iovec *uml_iov, full;
	unsigned char *sh, *tmp = NULL;
	size_t uml_len;
	int created;
	long r;

	va_start(ap, request);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	resolve();

	if (((int)request != GETREGSET && (int)request != SETREGSET) ||
	    (uintptr_t)addr != NT_X86_XSTATE || data == NULL)
		return libc_ptrace((int)request, pid, addr, data);

	uml_iov = data;
	if (probe_host_size(pid) < 0 || uml_iov->iov_len >= host_size)
		return libc_ptrace((int)request, pid, addr, data);

	uml_len = uml_iov->iov_len;
	sh = lookup(uml_iov->iov_base, &created);
	if (!sh) {
		tmp = malloc(host_size);
		if (!tmp) {
			errno = ENOMEM;
			return -1;
		}
		sh = tmp;
		created = 1;
	}
	full.iov_base = sh;
	full.iov_len = host_size;

	if ((int)request == GETREGSET) {
		r = libc_ptrace(GETREGSET, pid, addr, &full);
		if (r == 0) {
			size_t n = full.iov_len < uml_len ? full.iov_len : uml_len;

			memcpy(uml_iov->iov_base, sh, n);
			uml_iov->iov_len = n;
		}
	} else {
		/* A shadow never filled: start from the task's current state
		 * so the part above UML's prefix is valid. */
		if (created) {
			r = libc_ptrace(GETREGSET, pid, addr, &full);
			if (r != 0)
				goto out;
			full.iov_len = host_size;
		}
		memcpy(sh, uml_iov->iov_base, uml_len);
		r = libc_ptrace(SETREGSET, pid, addr, &full);
	}
out:
	free(tmp);
	return r;
}
