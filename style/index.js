import './base.css';
import './instances.css';
