// Counts in sentences: "1 video", "3 videos", "1 category", "2 categories".

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
