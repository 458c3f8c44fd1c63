import { ukDateTime } from '../activities/mail';

/** Dates as people in England read them; pages themselves are templates under web/views. */
export { ukDateTime };
