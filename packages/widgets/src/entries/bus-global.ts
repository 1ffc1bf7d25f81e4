// Side effect: window.CXBus exists from here on (a CXBus already on the page is kept).
import { getBus } from '../bus/cxbus.js';

getBus().loaded.push('cxbus');
