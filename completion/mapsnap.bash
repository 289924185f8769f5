# mapsnap.bash - bash completion for mapsnap-capture and mapsnap-analyze.
# Commands and options are read from the programs' own --help, so they
# cannot drift from it; installed once per program name by `make install`.

declare -gA _mapsnap_cache

# _mapsnap_parse PROG [CMD]: run `PROG [CMD] --help` once per shell and
# cache what it lists, as lines "TYPE<TAB>NAME<TAB>ARG". TYPE is "opt" for
# an option, whose ARG is empty for a flag, a METAVAR such as FILE, or
# "a|b|c" for a choice; "filter" for an option of the "filters:"
# paragraph; "cmd" for a command (analyzer); "filters" when a usage says
# [filters]; "pid" when it takes a PID operand. A command's --help lists
# the output options it takes, so they are among its "opt" lines.
_mapsnap_parse()
{
	local key="$1"$'\t'"${2-}" help line opt arg rest pending="" out=""
	local re='(^|[^[:alnum:]-])(--?[[:alpha:]][[:alnum:]-]*)( ([A-Z][A-Z0-9_]*|[a-z]+(\|[a-z]+)+))?([^[:alnum:]-]|$)'
	local para="" type o prog

	[[ -n ${_mapsnap_cache[$key]+set} ]] && return
	# the program as typed: ~/bin/mapsnap-analyze is not expanded yet
	prog=$1
	# shellcheck disable=SC2088 # a literal ~ is what is matched
	[[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
	help=$(LC_ALL=C "$prog" ${2:+"$2"} --help 2>/dev/null)
	while IFS= read -r line; do
		# a command's help: its usage and output options, then a blank
		# line and its text (the man page's, which names other
		# programs' options too)
		[[ -n ${2-} && -z $line ]] && break
		case $line in
		"") para="" ;;
		commands:*) para=commands; continue ;;
		filters:*) para=filters ;;
		esac
		if [[ $para == commands ]]; then
			[[ $line =~ ^\ \ ([a-z][a-z-]*) ]] &&
				out+="cmd"$'\t'"${BASH_REMATCH[1]}"$'\t'$'\n'
			continue
		fi
		type=opt
		[[ $para == filters ]] && type=filter
		rest=$line
		while [[ $rest =~ $re ]]; do
			opt=${BASH_REMATCH[2]} arg=${BASH_REMATCH[4]}
			rest=${rest#*"${BASH_REMATCH[0]}"}
			# "-o, --output FILE": the short form takes what the
			# long one takes
			if [[ -z $arg && ${BASH_REMATCH[6]} == , && $opt != --* ]]; then
				pending+="$opt "
				continue
			fi
			for o in $pending $opt; do
				out+="$type"$'\t'"$o"$'\t'"$arg"$'\n'
			done
			pending=""
		done
		[[ $line == *"[filters]"* ]] && out+="filters"$'\t'1$'\t'$'\n'
		# a PID operand: PID once the options' own PIDs are gone
		if [[ $line == usage:* ]]; then
			rest=$(sed -E 's/--?[[:alpha:]][[:alnum:]-]* [A-Z]+//g' <<<"$line")
			[[ $rest =~ (^|[^[:alnum:]])PID([^[:alnum:]]|$) ]] &&
				out+="pid"$'\t'1$'\t'$'\n'
		fi
	done <<<"$help"
	_mapsnap_cache[$key]=$out
}

# _mapsnap_list PROG CMD TYPE: the names of the cached lines of TYPE,
# each once.
_mapsnap_list()
{
	local t n a
	local -A seen=()
	while IFS=$'\t' read -r t n a; do
		[[ $t == "$3" && -z ${seen[$n]+set} ]] || continue
		seen[$n]=1
		printf '%s\n' "$n"
	done <<<"${_mapsnap_cache[$1$'\t'$2]}"
}

# _mapsnap_arg PROG CMD OPT: what OPT takes after it (see _mapsnap_parse),
# "-" when it takes nothing, "" when it is unknown. The command's own
# options first, then the program's; an option that prose mentions bare
# (`with -i 0`) takes what its definition says.
_mapsnap_arg()
{
	local key t n a found=""
	for key in "$1"$'\t'"$2" "$1"$'\t'; do
		while IFS=$'\t' read -r t n a; do
			[[ ($t == opt || $t == filter) && $n == "$3" ]] || continue
			if [[ -n $a ]]; then
				printf '%s\n' "$a"
				return
			fi
			found=-
		done <<<"${_mapsnap_cache[$key]}"
		if [[ -n $found ]]; then
			printf '%s\n' "$found"
			return
		fi
	done
}

# _mapsnap_value KIND PROG FILE CUR: COMPREPLY for an option's argument
# that starts with CUR.
_mapsnap_value()
{
	local cur=$4
	case $1 in
	*\|*) mapfile -t COMPREPLY < <(compgen -W "${1//|/ }" -- "$cur") ;;
	FILE|OUT|FILE2) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	DIR) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	USER) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
	REF) mapfile -t COMPREPLY < <(compgen -W "first latest" -- "$cur") ;;
	PID)
		if [[ -n $3 && -f $3 ]]; then
			# the pids of the snapshot file named before
			mapfile -t COMPREPLY < <(compgen -W "$("$2" --csv ps "$3" 2>/dev/null |
				sed -n '2,$s/,.*//p')" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(cd /proc 2>/dev/null &&
				compgen -G '[0-9]*')" -- "$cur")
		fi
		;;
	*) COMPREPLY=() ;;
	esac
}

# _mapsnap_eq: "--opt=value" reaches a completion split where '=' breaks
# words (COMP_WORDBREAKS): "--opt" "=" "value", or "--opt" "=" while the
# value is still empty. Sets eqopt to the option and cur to the value when
# the word being completed is such a value, else leaves both alone.
_mapsnap_eq()
{
	local i=$COMP_CWORD
	eqopt=""
	if [[ ${COMP_WORDS[i]} == = ]] && ((i > 0)) &&
		[[ ${COMP_WORDS[i - 1]} == --* ]]; then
		eqopt=${COMP_WORDS[i - 1]} cur=""
	elif ((i > 1)) && [[ ${COMP_WORDS[i - 1]} == = &&
		${COMP_WORDS[i - 2]} == --* ]]; then
		eqopt=${COMP_WORDS[i - 2]}
	fi
}

_mapsnap_capture()
{
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev="" kind eqopt
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	_mapsnap_parse "$prog"
	_mapsnap_eq
	[[ -n $eqopt ]] && prev=$eqopt
	if [[ $prev == -* ]]; then
		kind=$(_mapsnap_arg "$prog" "" "$prev")
		if [[ -n $kind && $kind != - ]]; then
			_mapsnap_value "$kind" "$prog" "" "$cur"
			return
		fi
	fi
	[[ -n $eqopt ]] && return	# a flag takes no value
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_mapsnap_list "$prog" "" opt)" -- "$cur")
	else
		# bare PIDs
		_mapsnap_value PID "$prog" "" "$cur"
	fi
}

_mapsnap_analyze()
{
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev="" cmd="" file="" npos=0 kind w i opts eqopt
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	_mapsnap_parse "$prog"
	_mapsnap_eq
	[[ -n $eqopt ]] && prev=$eqopt

	# the command is the first word that is neither an option nor the
	# value of one; FILE the first such word after it
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			[[ -n $cmd ]] && _mapsnap_parse "$prog" "$cmd"
			kind=$(_mapsnap_arg "$prog" "$cmd" "$w")
			# its value: the next word, or "=" and the one after
			if [[ ${COMP_WORDS[i + 1]-} == = ]]; then
				((i += 2))
			elif [[ -n $kind && $kind != - ]]; then
				((i++))
			fi
		elif [[ -z $cmd ]]; then
			cmd=$w
		else
			((npos++ == 0)) && file=$w
		fi
	done
	[[ -n $cmd ]] && _mapsnap_parse "$prog" "$cmd"

	if [[ $prev == -* ]]; then
		kind=$(_mapsnap_arg "$prog" "$cmd" "$prev")
		if [[ -n $kind && $kind != - ]]; then
			_mapsnap_value "$kind" "$prog" "$file" "$cur"
			return
		fi
	fi
	[[ -n $eqopt ]] && return	# a flag takes no value
	if [[ -z $cmd && $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_mapsnap_list "$prog" "" cmd)" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		# before the command, the program's options; after it, the
		# command's own, the output options it takes and --help
		opts=$(_mapsnap_list "$prog" "" opt)
		if [[ -n $cmd ]]; then
			opts="$(_mapsnap_list "$prog" "$cmd" opt) --help"
			[[ -n $(_mapsnap_list "$prog" "$cmd" filters) ]] &&
				opts+=" $(_mapsnap_list "$prog" "" filter)"
		fi
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	# FILE PID: the pids of that file's snapshot; FILE, OUT...: files
	if ((npos == 1)) && [[ -n $(_mapsnap_list "$prog" "$cmd" pid) ]]; then
		_mapsnap_value PID "$prog" "$file" "$cur"
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -o bashdefault -F _mapsnap_capture mapsnap-capture
complete -o filenames -o bashdefault -F _mapsnap_analyze mapsnap-analyze
