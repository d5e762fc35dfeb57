/** How far a site looks around itself, in characters or lines: every scan is bounded, so hostile input stays linear. */
export const LINE_WINDOW = 300;
export const BRACKET_WINDOW = 8000;
export const MEMBERS_WINDOW = 4000;
export const INDENT_LINES = 200;
export const SECTION_LINES = 200;
export const MAX_ANCESTORS = 4;
export const MAX_KEY = 200;
