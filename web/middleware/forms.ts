import { urlencoded } from 'express';

/** Form posts only, small: a decision's form is a few fields; more is not a person typing. */
export const formBody = urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
