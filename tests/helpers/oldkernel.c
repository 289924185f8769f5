/* oldkernel.c - run a program as if on Linux 3.2: every x86-64 system call
 * added after 3.2 (numbers 312 and up: kcmp, ..., getrandom, statx,
 * clone3, ...) fails with ENOSYS, as an older kernel answers it. For
 * tests/e2e/t-static.sh: the static capture promises to run from 3.2 on.
 *
 * Usage: oldkernel PROGRAM [ARG...]
 *
 * A seccomp filter (itself 3.17 or later: the test machine's kernel, not
 * the one imitated) is installed with no_new_privs, then PROGRAM is
 * executed; the filter stays on it and its children.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

/* the last system call of Linux 3.2 on x86-64: process_vm_writev */
#define LAST_3_2 311

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, LAST_3_2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]), .filter = code,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: oldkernel PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("oldkernel: cannot install the seccomp filter");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror("oldkernel: cannot run the program");
	return 127;
}
