/** One view of the analytical model: a name and the SELECT it stands for. */
export interface ModelView {
  name: string;
  select: string;
}
