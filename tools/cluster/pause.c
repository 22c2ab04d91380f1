/*
 * The pod sandbox ("pause") process of the local cluster's sandbox image (tools/images/build.sh).
 *
 * Every pod's sandbox container runs this: it holds the pod's namespaces open while the pod's
 * containers come and go. As PID 1 of the pod it exits on SIGINT/SIGTERM (the runtime stops the
 * sandbox) and reaps zombies (children re-parented to it). Built static, so the image needs
 * nothing else: gcc -static -Os -o pause pause.c
 */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
    (void)sig;
    _exit(0);
}

static void on_child(int sig) {
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void) {
    struct sigaction stop = {.sa_handler = on_stop};
    struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
    if (getpid() != 1) {
        /* Not fatal (the real pause warns too): only zombie reaping depends on being PID 1. */
        static const char warning[] = "pause: not PID 1, zombies are not reaped\n";
        (void)write(STDERR_FILENO, warning, sizeof warning - 1);
    }
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGCHLD, &child, NULL);
    for (;;) {
        pause();
    }
}
