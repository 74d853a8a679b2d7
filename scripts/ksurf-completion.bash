# bash completion for ksurf. `cmake --install` puts it in
# share/bash-completion/completions/ksurf, where bash-completion finds it;
# from the source tree, load it with
#     source scripts/ksurf-completion.bash
#
# Kernel functions, trace events and struct names complete from the running
# kernel, through `ksurf list ... --names` (kallsyms, tracefs, BTF): each
# completion runs ksurf once with the typed prefix as a glob.
# shellcheck disable=SC2207 # COMPREPLY=($(...)) is how completions are made

_ksurf_names() { # KIND PREFIX
    local kind=$1 cur=$2
    case $kind in
    funcs) ksurf list funcs --names "${cur}*" 2>/dev/null ;;
    events) ksurf list events --names "${cur}*" 2>/dev/null ;;
    structs) ksurf list structs "${cur}*" 2>/dev/null ;;
    esac
}

_ksurf() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n : || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    case $prev in
    --btf | --vmlinux | -f | -o)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    -a | --arch)
        COMPREPLY=($(compgen -W "x86_64 aarch64 riscv64" -- "$cur"))
        return
        ;;
    --color)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return
        ;;
    esac

    # Probe expressions: after "p " / "r " / "f " a function, after "e " an event
    # (the word is usually quoted: 'p do_sys_op<TAB>).
    local expr=${cur#[\'\"]}
    case $expr in
    "p "* | "r "* | "f "*)
        mapfile -t COMPREPLY < <(_ksurf_names funcs "${expr:2}" | sed "s/^/${expr:0:2}/")
        return
        ;;
    "e "*)
        mapfile -t COMPREPLY < <(_ksurf_names events "${expr:2}" | sed 's/^/e /')
        return
        ;;
    esac

    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "list who run count hist lat reset help probe --help --version" -- "$cur"))
        return
    fi

    case ${words[1]} in
    list)
        local sub=${words[2]} nargs=0 i
        if [[ $cword -eq 2 ]]; then
            COMPREPLY=($(compgen -W "funcs events func struct structs uprobes disasm --json --color" -- "$cur"))
            return
        fi
        # Positional arguments typed so far after the listing's name.
        for ((i = 3; i < cword; i++)); do
            [[ ${words[i]} == -* ]] || ((nargs++))
        done
        if [[ $cur == -* ]]; then
            local opts="--json --color"
            case $sub in
            funcs) opts+=" --all --names" ;;
            events) opts+=" -v --verbose --names" ;;
            func) opts+=" --btf --arch" ;;
            struct) opts+=" --btf --arch" ;;
            structs) opts+=" --btf" ;;
            uprobes) opts+=" --names" ;;
            disasm) opts+=" --vmlinux" ;;
            esac
            COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            return
        fi
        case $sub in
        funcs | func | disasm)
            [[ $nargs -eq 0 ]] && COMPREPLY=($(_ksurf_names funcs "$cur"))
            ;;
        events)
            [[ $nargs -eq 0 ]] && COMPREPLY=($(_ksurf_names events "$cur"))
            ;;
        struct | structs)
            [[ $nargs -eq 0 ]] && COMPREPLY=($(_ksurf_names structs "$cur"))
            ;;
        uprobes)
            if [[ $nargs -eq 0 ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            else
                COMPREPLY=($(ksurf list uprobes --names "${words[3]}" "${cur}*" 2>/dev/null))
            fi
            ;;
        esac
        ;;
    who)
        [[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "$(ksurf list events --names "syscalls/sys_enter_${cur}*" 2>/dev/null | sed 's|^syscalls/sys_enter_||')" -- "$cur"))
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--pid --duration --count --buffer --json --max-funcs --fprobe-funcs --help" -- "$cur"))
        ;;
    run)
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "-g --graph --filter --notrace --max-depth --min-time --no-irqs -b --buffer --tree-limit --json --folded --svg --no-children --force --events" -- "$cur"))
        ;;
    count | hist | lat)
        case $prev in
        --by)
            if [[ ${words[1]} == lat ]]; then
                COMPREPLY=($(compgen -W "comm pid tid cpu stack" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "comm pid tid cpu func stack ustack" -- "$cur"))
            fi
            ;;
        --unit) COMPREPLY=($(compgen -W "ns us ms" -- "$cur")) ;;
        *)
            [[ ${words[1]} == lat && $cword -eq 2 && $cur != -* ]] && COMPREPLY=($(_ksurf_names funcs "$cur"))
            [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--by --top --interval --of --linear --unit --pid --duration --count --buffer --json --max-funcs --fprobe-funcs --help" -- "$cur")) ;;
        esac
        ;;
    help)
        COMPREPLY=($(compgen -W "list who run count hist lat reset probe" -- "$cur"))
        ;;
    *)
        # Probes (with or without the word "probe"): their options.
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "-f --file -S --show --native -o --script -a --arch --btf
            -p --pid -d --duration -n --count -b --buffer -s --stack --stats --no-irq-info
            --json --max-funcs --fprobe-funcs" -- "$cur"))
        ;;
    esac
}
complete -F _ksurf ksurf
