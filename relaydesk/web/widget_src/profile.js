// "About you": an optional name and email, stored unverified. Verified visitors (identity
// token) are known already, so they never see it.
import { page } from './context.js';
import { api } from './http.js';
import { known, visitor } from './session.js';
import { started } from './shell.js';
import { t } from './strings.js';
import { str } from './util.js';
import { showError, ui } from './view.js';

// state: offer (nothing given yet), editing, or saved (the visitor has a name or email).
export function showProfile(state) {
  const v = visitor() || {}, who = [v.name, v.email].filter(Boolean).join(' · ');
  state = state || (who ? 'saved' : 'offer');
  ui.profile.hidden = !visitor() || !!v.verified;
  ui.profile.dataset.state = state;
  ui.pOpen.hidden = state !== 'offer';
  ui.pForm.hidden = state !== 'editing';
  ui.pSaved.hidden = state !== 'saved';
  ui.pWho.textContent = t('chattingAs', { who });
}

export function relabelProfile() {
  ui.pName.placeholder = ui.pName.ariaLabel = t('profileName');
  ui.pEmail.placeholder = ui.pEmail.ariaLabel = t('profileEmail');
  ui.pOpen.textContent = t('profileOffer');
  ui.pSave.textContent = t('profileSave');
  ui.pCancel.textContent = t('profileCancel');
  ui.pEdit.textContent = t('profileEdit');
  if (visitor()) showProfile(ui.profile.dataset.state === 'editing' && 'editing'); // keep what is typed
}

export function editProfile() {
  ui.pName.value = str(visitor()?.name);
  ui.pEmail.value = str(visitor()?.email);
  clearInvalid();
  showProfile('editing');
  ui.pName.focus();
}

export function clearInvalid() {
  ui.pName.setCustomValidity('');
}

export async function saveProfile(e) {
  e.preventDefault();
  const body = { name: ui.pName.value.trim() || undefined, email: ui.pEmail.value.trim() || undefined };
  if (!body.name && !body.email) {
    ui.pName.setCustomValidity(t('profileEmpty'));
    return ui.pForm.reportValidity();
  }
  ui.pSave.disabled = true;
  try {
    await started;
    known((await api('POST', '/profile', body)).visitor);
    showProfile();
    page.emit('profile', { name: visitor().name, email: visitor().email });
  } catch (err) {
    showError(err.message); // the form stays open: Save again to retry
    page.emit('error', { code: err.code || 'profile_failed', message: err.message });
  } finally {
    ui.pSave.disabled = false;
  }
}
