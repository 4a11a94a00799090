import { describe, expect, it } from 'vitest';
import { ApiError, errorDetail } from './apiErrors';
import { loginError } from '../pages/LoginPage';

describe('error sentences', () => {
  it('words errors of the whole request without a field name', () => {
    expect(errorDetail({ non_field_errors: ['Unable to log in with provided credentials.'] }, 'x')).toBe('Unable to log in with provided credentials.');
    expect(errorDetail({ username: ['required'] }, 'x')).toBe('username: required');
  });

  it('says what went wrong at sign-in in a sentence', () => {
    expect(loginError(new ApiError(400, 'non_field_errors: x', {}))).toMatch(/^That username and password do not match/);
    expect(loginError(new ApiError(429, 'throttled', {}))).toMatch(/^Too many sign-in attempts/);
    expect(loginError(new ApiError(429, 'Too many failed sign-ins for this username; try again in 212 s.', {}))).toBe(
      'Too many sign-in attempts. Wait 212 s, then try again.',
    );
    expect(loginError(new TypeError('fetch failed'))).toMatch(/cannot be reached/);
  });
});
