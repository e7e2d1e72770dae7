/** The command that puts a new version into an environment: `promote` for one that only receives promotions. */
export function shipCommand(name: string, promotesFrom: string | undefined): string {
  return promotesFrom ? `echogate promote ${name}` : `echogate deploy ${name}`;
}
