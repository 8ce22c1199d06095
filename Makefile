# gameday — build, test and install.  'make help' lists the targets.
#
# Out of tree: everything lands in $(BUILD) (default build/).  Knobs:
#   V=1                     show full commands
#   SANITIZE=address,undefined   build the normal tree with sanitizers
#   PREFIX=/usr/local DESTDIR=   for 'make install'
#   FUZZ_SECONDS=60          how long 'make fuzz' runs

VERSION    := 0.1.0
BUILD      ?= build
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
FUZZ_SECONDS ?= 60

CC         ?= cc
FUZZ_CC    ?= clang
PKGS       := jansson libnl-3.0 libnl-route-3.0 libseccomp

# Every Debian package the project needs, for 'make deps'.  The daemons
# among them (munge, slurm, beanstalkd) run only inside staging nodes, so
# 'make deps' keeps their packages from starting them on the host.
# user-mode-linux (and kmod, to load its modules) gives the tests a kernel
# with netem where the host's has none.
# jq reads result.json in the integration tests.  The SSH backend's tests
# boot staging machines (tests/lab/: User-mode Linux kernels with systemd
# as PID 1, on ext4 disks) running Debian's sshd, sudo and nftables, and
# reach them with the OpenSSH client (ethtool: the lab's links without
# offloads, which UML's raw sockets cannot take).
DEB_PACKAGES := make gcc libc6-dev pkg-config clang libclang-rt-14-dev \
	clang-format valgrind libjansson-dev libnl-3-dev libnl-route-3-dev \
	libseccomp-dev libcmocka-dev libfaketime faketime iproute2 time procps \
	slurmctld slurmd slurm-client munge beanstalkd chromium \
	user-mode-linux kmod jq openssh-client openssh-server sudo nftables \
	systemd dbus e2fsprogs ethtool iptables

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
endif

# Lazy (=) so that a sub-make run after 'make deps' sees the libraries.
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN       := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	      -Wmissing-prototypes -Wno-missing-field-initializers
BASE_CFLAGS := -std=gnu11 -g -O2 $(WARN) -I. -Iharness -D_GNU_SOURCE \
	       -DGD_VERSION='"$(VERSION)"' -DGD_LIBEXEC='"$(LIBEXECDIR)"'
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
SAN_LDFLAGS := -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS  = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_LDFLAGS) $(LDFLAGS)

LIB_DIRS := base remote kinds scenario plan host net cluster jobsys workload faults score run
LIB_SRC  := $(sort $(wildcard $(LIB_DIRS:%=harness/%/*.c)))
CLI_SRC  := $(sort $(wildcard harness/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
HEADERS  := $(sort $(wildcard harness/*/*.h agent/*.h)) fakes/profile.h

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIBGD    := $(BUILD)/libgameday.a
GAMEDAY  := $(BUILD)/gameday
# Programs gameday puts inside nodes.  gd-init is static so a node's
# ld.so.preload (libfaketime) never reaches it; gd-probe is dynamic so it
# does, like the job system.
FAKES    := $(BUILD)/gd-init $(BUILD)/gd-probe $(BUILD)/gd-job $(BUILD)/gd-bsq \
	    $(BUILD)/gd-wrap
# The agent gameday copies to a real host for a run (docs/agent.md): one
# static program linking libc alone, the base/ files it reuses compiled
# into it.
AGENT    := $(BUILD)/gd-agent
AGENT_SRC := agent/gd-agent.c agent/record.c agent/unit.c agent/journal.c agent/host.c \
	     harness/base/error.c harness/base/strbuf.c harness/base/fileio.c
LIBEXEC_PROGS := $(FAKES) $(AGENT)
LIBEXECDIR ?= $(PREFIX)/libexec/gameday
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/tests/bench_validate
FUZZ_BIN := $(BUILD)/fuzz/fuzz_scenario

.PHONY: all help deps check check-run check-library unit unit-asan valgrind golden fuzz integration integration-long arch-check \
	bench bench-library demo demo-byo install uninstall format format-check hdr-check clean

all: $(GAMEDAY) $(LIBEXEC_PROGS)

help:
	@echo "make [V=1] [SANITIZE=address,undefined] TARGET"
	@echo "  all           build $(GAMEDAY) (default)"
	@echo "  check         every test suite: unit (plain, ASan+UBSan, valgrind),"
	@echo "                golden, fuzz ($(FUZZ_SECONDS)s), header, format and"
	@echo "                architecture checks"
	@echo "  unit          cmocka unit tests"
	@echo "  golden        golden tests of validate and plan output"
	@echo "  integration   staging cluster on real namespaces, the SSH"
	@echo "                transport and the undo agent (root)"
	@echo "  integration-long  the incidents re-enacted and a trace replayed"
	@echo "                on real Slurm, the SSH backend on a lab of"
	@echo "                User-mode Linux machines with systemd and a run"
	@echo "                played there (root; about 16 min; not in check)"
	@echo "  fuzz          libFuzzer over the scenario parser (clang)"
	@echo "  bench         benchmarks; prints figures"
	@echo "  bench-library the library at scale 60 beside its CI scale (REF_SCALE=K); 1.5 h"
	@echo "  check-library every library scenario without its faults must pass; 15 min"
	@echo "  demo          validate and plan the example scenarios"
	@echo "  demo-byo      play Friday's and Tuesday's incidents with the team's"
	@echo "                own job and templates (scenarios/byo/; root, ~10 min)"
	@echo "  deps          apt-get install what is missing (as root)"
	@echo "  install       install gameday to \$$DESTDIR\$$PREFIX/bin ($(PREFIX))"
	@echo "  format        clang-format the sources in place"
	@echo "  format-check  fail when a source is not formatted"
	@echo "  hdr-check     compile each header on its own"
	@echo "  arch-check    no folder include cycle, no function over 120 lines,"
	@echo "                Slurm only in jobsys/, each fault kind in 3 files"
	@echo "  clean         remove $(BUILD)/"

# ---- build ----

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBGD): $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(GAMEDAY): $(CLI_OBJ) $(LIBGD)
	$(call say,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBGD) $(PKG_LIBS)

$(BUILD)/gd-init: fakes/gd-init.c fakes/profile.c fakes/profile.h \
		harness/cluster/event_names.c harness/cluster/event_names.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(BASE_CFLAGS) $(CFLAGS) -static -o $@ $< fakes/profile.c \
		harness/cluster/event_names.c

$(AGENT): $(AGENT_SRC) $(wildcard agent/*.h) harness/base/error.h \
		harness/base/strbuf.h harness/base/fileio.h harness/base/cleanup.h
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(BASE_CFLAGS) $(CFLAGS) -static -o $@ $(AGENT_SRC)

$(BUILD)/gd-probe: fakes/gd-probe.c fakes/profile.c fakes/profile.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< fakes/profile.c

$(BUILD)/gd-bsq $(BUILD)/gd-wrap: $(BUILD)/%: fakes/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/gd-job: fakes/gd-job.c harness/workload/classify.c harness/workload/classify.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< harness/workload/classify.c

# A unit test of code outside the library names it here: the agent's
# pure journal logic, and its host side (below a folder of the test's).
$(BUILD)/tests/test_agent: UNIT_EXTRA := agent/journal.c agent/host.c
$(BUILD)/tests/test_agent: agent/journal.c agent/journal.h agent/host.c agent/host.h

$(BUILD)/tests/%: tests/unit/%.c $(LIBGD) tests/unit/unit.h tests/unit/scenario_text.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(UNIT_EXTRA) $(LIBGD) \
		$(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/gd_oracle $(BUILD)/tests/gd_ssh_try: $(BUILD)/tests/%: tests/tools/%.c $(LIBGD)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGD) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/bench_poller $(BUILD)/tests/bench_netfloor $(BUILD)/tests/bench_faults \
		$(BUILD)/tests/bench_score $(BUILD)/tests/bench_fidelity: $(BUILD)/tests/%: tests/bench/%.c $(LIBGD)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGD) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BENCH_BIN): tests/bench/bench_validate.c $(LIBGD)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGD) $(ALL_LDFLAGS) $(PKG_LIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---- tests ----

# 'check' first makes sure the packages are there, then runs everything in
# a fresh make so pkg-config sees what 'deps' installed.
check: deps
	$(Q)$(MAKE) --no-print-directory check-run

# Each suite appends "PASSED FAILED" to $$GD_COUNTS; the last line is the
# total over all of them.
COUNTS := $(BUILD)/check-counts
check-run:
	@mkdir -p $(BUILD) && rm -f $(COUNTS)
	$(Q)GD_COUNTS=$(abspath $(COUNTS)) $(MAKE) --no-print-directory \
		hdr-check format-check arch-check unit unit-asan valgrind golden \
		integration fuzz
	@awk '{p += $$1; f += $$2} END {printf "check: %d passed, %d failed\n", p, f; exit f > 0}' $(COUNTS)

unit: $(UNIT_BIN)
	$(Q)sh tests/run-unit.sh "unit" $(UNIT_BIN)

# The same unit suite and golden tests again, built with ASan and UBSan in
# a tree of its own.
unit-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
		SANITIZE=address,undefined $(BUILD)/asan/gameday \
		$(UNIT_SRC:tests/unit/%.c=$(BUILD)/asan/tests/%)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	 sh tests/run-unit.sh "unit (asan+ubsan)" \
		$(UNIT_SRC:tests/unit/%.c=$(BUILD)/asan/tests/%)
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	 sh tests/golden/run.sh $(BUILD)/asan/gameday "golden (asan+ubsan)"

valgrind: $(UNIT_BIN)
	$(Q)sh tests/run-unit.sh "unit (valgrind)" --valgrind $(UNIT_BIN)

# Real namespaces, cgroups and mounts: needs root (skips, exit 77, without).
# The long ones (the incidents re-enacted, a recorded trace replayed, the
# SSH backend on a lab of three machines) run in 'make integration-long',
# to keep CI under its limit.
LONG_TESTS := tests/integration/byo.sh tests/integration/trace.sh \
	tests/integration/sshlab.sh tests/integration/sshrun.sh
INTEGRATION_TESTS := $(filter-out $(LONG_TESTS),$(sort $(wildcard tests/integration/*.sh)))
integration: $(GAMEDAY) $(LIBEXEC_PROGS) $(BUILD)/tests/gd_oracle $(BUILD)/tests/gd_ssh_try
	$(Q)for t in $(INTEGRATION_TESTS); do \
		sh $$t $(BUILD); rc=$$?; \
		[ $$rc -eq 77 ] && { echo "$$t: skipped"; continue; }; \
		[ $$rc -eq 0 ] || exit $$rc; \
	done

integration-long: $(GAMEDAY) $(LIBEXEC_PROGS) $(BUILD)/tests/gd_oracle $(BUILD)/tests/gd_ssh_try
	$(Q)for t in $(LONG_TESTS); do \
		sh $$t $(BUILD); rc=$$?; \
		[ $$rc -eq 77 ] && { echo "$$t: skipped"; continue; }; \
		[ $$rc -eq 0 ] || exit $$rc; \
	done

golden: $(GAMEDAY)
	$(Q)sh tests/golden/run.sh $(GAMEDAY) golden

$(FUZZ_BIN): tests/fuzz/fuzz_scenario.c $(LIB_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) -std=gnu11 -g -O1 -I. -Iharness -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(PKG_CFLAGS) -o $@ tests/fuzz/fuzz_scenario.c $(LIB_SRC) $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SECONDS)

bench: $(GAMEDAY) $(FAKES) $(BENCH_BIN) $(BUILD)/tests/bench_poller $(BUILD)/tests/bench_netfloor \
		$(BUILD)/tests/bench_faults $(BUILD)/tests/bench_score $(BUILD)/tests/bench_fidelity
	$(Q)$(BENCH_BIN) $(GAMEDAY)
	$(Q)$(BUILD)/tests/bench_poller
	$(Q)$(BUILD)/tests/bench_score
	$(Q)sh tests/bench/cluster_scale.sh $(BUILD)
	$(Q)sh tests/bench/slurm_up.sh $(BUILD)
	$(Q)sh tests/bench/submit_rate.sh $(BUILD)
	$(Q)$(BUILD)/tests/bench_faults $(BUILD)
	$(Q)sh tests/bench/fidelity.sh $(BUILD)

# Every library scenario with its steps removed must pass: about fifteen
# minutes, so not part of check.
check-library: $(GAMEDAY) $(FAKES)
	$(Q)sh tests/library/nofault.sh $(BUILD)

# The whole library at a reference scale beside its CI scale: about an
# hour and a half, so not part of bench.
bench-library: $(GAMEDAY) $(FAKES) $(BUILD)/tests/bench_fidelity
	$(Q)sh tests/bench/library_fidelity.sh $(BUILD) $(REF_SCALE)

# The architecture's rules on the source (tests/arch/check.sh).
arch-check:
	$(Q)sh tests/arch/check.sh

hdr-check:
	@mkdir -p $(BUILD)/hdr
	$(Q)for h in $(HEADERS); do \
		printf '#include "%s"\n#include "%s"\n' $${h#harness/} $${h#harness/} \
			> $(BUILD)/hdr/check.c; \
		$(CC) $(ALL_CFLAGS) -fsyntax-only $(BUILD)/hdr/check.c \
			|| { echo "hdr-check: $$h is not self-contained"; exit 1; }; \
	done; echo "hdr-check: $(words $(HEADERS)) headers self-contained"

FORMAT_FILES = $(sort $(wildcard harness/*/*.[ch] agent/*.[ch] fakes/*.[ch] tests/*/*.[ch]))

format:
	$(Q)clang-format -i $(FORMAT_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES) && \
		echo "format-check: $(words $(FORMAT_FILES)) files formatted"

# ---- use ----

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)for f in scenarios/*.json; do \
		echo "== gameday validate $$f"; $(GAMEDAY) validate $$f || exit $$?; \
		echo "== gameday plan $$f"; $(GAMEDAY) plan $$f || exit $$?; echo; \
	done
	$(Q)if [ "$$(id -u)" = 0 ]; then \
		for s in baseline tardy-tuesday; do \
			echo "== gameday run --scale max scenarios/$$s.json (real Slurm on a staging cluster, as fast as it stays faithful)"; \
			$(GAMEDAY) run --scale max --out $(BUILD)/demo-$$s scenarios/$$s.json; rc=$$?; \
			case $$rc in 0|1|4) ;; *) exit $$rc ;; esac; \
			echo "== $(BUILD)/demo-$$s/summary.md"; cat $(BUILD)/demo-$$s/summary.md; \
			echo "== open $(BUILD)/demo-$$s/scorecard.html for the timeline"; echo; \
		done; \
		grep -h 'retrying' $(BUILD)/demo-tardy-tuesday/jobs/*.log | head -3; \
	else echo "== (run 'make demo' as root to also play scenarios/baseline.json and tardy-tuesday.json on real Slurm)"; fi

# The seed incidents with the team's own artefacts (docs/demo-byo.md): its
# converter as the job, its config and provisioning templates on the nodes.
# Played at each scenario's own time_scale, which was tuned on real Slurm
# to re-enact the day; a verdict of fail (exit 1) is the expected outcome,
# so only other exits stop the target.
demo-byo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)if [ "$$(id -u)" != 0 ]; then echo "== make demo-byo plays real Slurm clusters: run it as root"; exit 3; fi
	$(Q)for s in friday-provisioning tuesday-provisioning; do \
		echo "== gameday validate and plan scenarios/$$s.json"; \
		$(GAMEDAY) validate scenarios/$$s.json || exit $$?; \
		$(GAMEDAY) plan scenarios/$$s.json | sed -n '/^timeline/,$$p'; \
		echo "== gameday run scenarios/$$s.json (real Slurm on a staging cluster)"; \
		rm -rf $(BUILD)/demo-$$s; \
		$(GAMEDAY) run --out $(BUILD)/demo-$$s scenarios/$$s.json; rc=$$?; \
		case $$rc in 0|1|4) ;; *) exit $$rc ;; esac; \
		echo "== $(BUILD)/demo-$$s/summary.md"; cat $(BUILD)/demo-$$s/summary.md; \
		echo "== the renewed nodes' changes: $(BUILD)/demo-$$s/*/provision-changes-*.txt"; \
		cat $(BUILD)/demo-$$s/*/provision-changes-*.txt 2>/dev/null | sort | uniq -c | sort -rn | head -6; \
		echo "== what a stalled job said:"; \
		grep -h 'retrying' $(BUILD)/demo-$$s/jobs/*/*/stderr 2>/dev/null | head -2; \
		echo "== open $(BUILD)/demo-$$s/scorecard.html for the timeline"; echo; \
	done

deps:
	$(Q)missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PACKAGES)) packages present"; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing packages:" $$missing "(run 'make deps' as root)"; exit 3; \
	else echo "deps: installing" $$missing; \
		policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then policy=/usr/sbin/policy-rc.d; \
			printf '#!/bin/sh\nexit 101\n' >$$policy; chmod 755 $$policy; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing >/dev/null; rc=$$?; \
		[ -z "$$policy" ] || rm -f $$policy; exit $$rc; fi

# The node programs and the agent beside each other in libexec, where
# gameday looks for them (cli_libexec).
install: $(GAMEDAY) $(LIBEXEC_PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(GAMEDAY) $(DESTDIR)$(BINDIR)/gameday
	install -m 0755 $(LIBEXEC_PROGS) $(DESTDIR)$(LIBEXECDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gameday
	rm -f $(LIBEXEC_PROGS:$(BUILD)/%=$(DESTDIR)$(LIBEXECDIR)/%)

clean:
	rm -rf $(BUILD)
