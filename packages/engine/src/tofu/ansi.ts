// CSI and OSC sequences: colours, cursor moves and titles a terminal program may print.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text without terminal escape sequences (tofu's colours, when the engine keeps them). */
export const stripAnsi = (text: string) => text.replace(ANSI, '');
