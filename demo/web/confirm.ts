import { $ } from './dom.ts';

export interface Confirmation {
  title: string;
  body: string;
  /** The confirming button's text, naming the action and its object ("Offboard Jane Doe"). */
  action: string;
}

/**
 * Asks before a destructive action, in a modal <dialog>: Cancel has the focus, Escape
 * cancels, and focus returns to the button that asked.
 */
export function confirmAction({ title, body, action }: Confirmation): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('confirm');
  $('confirm-title').textContent = title;
  $('confirm-body').textContent = body;
  $('confirm-ok').textContent = action;
  dialog.returnValue = 'cancel';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), {
      once: true,
    });
  });
}
